using System.Net;
using System.Net.Sockets;

namespace SagaWorkflows.Testing;

/// <summary>Network helpers every test project shares.</summary>
public static class Network
{
    /// <summary>A loopback TCP port that was free a moment ago, for a server the test starts next.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
