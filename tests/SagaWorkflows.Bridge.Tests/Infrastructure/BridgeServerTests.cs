using System.Text;

namespace SagaWorkflows.Bridge.Tests.Infrastructure;

/// <summary>Tests that each get a fresh bridge with the test defaults, and post JSON bodies to it.</summary>
public abstract class BridgeServerTests : IAsyncLifetime
{
    private protected BridgeServer _bridge = null!;

    public async Task InitializeAsync() => _bridge = await BridgeServer.StartAsync();

    public async Task DisposeAsync() => await _bridge.DisposeAsync();

    private protected Task<HttpResponseMessage> PostAsync(string path, string body) =>
        _bridge.Client.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"));
}
