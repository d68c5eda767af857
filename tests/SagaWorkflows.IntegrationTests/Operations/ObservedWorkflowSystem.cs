using System.Text.RegularExpressions;
using SagaWorkflows.IntegrationTests.Infrastructure;
using SagaWorkflows.Testing;

namespace SagaWorkflows.IntegrationTests.Operations;

/// <summary>The orchestrator and worker processes exporting OTLP over HTTP (protobuf) to a receiver in the test, and serving health endpoints.</summary>
public sealed partial class ObservedWorkflowSystem : WorkflowSystem
{
    private OtlpReceiver? _receiver;

    /// <summary>The collector the hosts export to, started before them.</summary>
    public OtlpReceiver Receiver => _receiver ?? throw new InvalidOperationException("The system is not initialized.");

    public override IReadOnlyDictionary<string, string> Environment => new Dictionary<string, string>(base.Environment)
    {
        ["OTEL_EXPORTER_OTLP_ENDPOINT"] = Receiver.Address.ToString().TrimEnd('/'),
        ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
        ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
        ["OTEL_METRIC_EXPORT_INTERVAL"] = "500",
        ["SagaWorkflows__Health__Urls"] = "http://127.0.0.1:0",
    };

    /// <summary>Where the orchestrator serves its health endpoints.</summary>
    public Uri OrchestratorHealth { get; private set; } = null!;

    /// <summary>Where the worker serves its health endpoints.</summary>
    public Uri WorkerHealth { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        _receiver = await OtlpReceiver.StartAsync();
        await base.InitializeAsync();

        // Read now: a host keeps only the tail of its output, and the line is logged once, at startup.
        OrchestratorHealth = await HealthAddressAsync(Orchestrator!);
        WorkerHealth = await HealthAddressAsync(Worker!);
    }

    /// <summary>Where a process serves its health endpoints, read from the line it logs once listening.</summary>
    private static async Task<Uri> HealthAddressAsync(HostProcess host)
    {
        try
        {
            var match = await Poll.UntilAsync(() => ListeningLine().Match(host.Output), m => m.Success, TimeSpan.FromSeconds(30),
                $"{host.Name} logging its health endpoints' address");
            return new Uri(match.Groups[1].Value);
        }
        catch (TimeoutException timeout)
        {
            throw new TimeoutException($"{timeout.Message}\n{host.Tail()}", timeout);
        }
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (_receiver is not null)
        {
            await _receiver.DisposeAsync();
        }
    }

    [GeneratedRegex(@"/health/ready listening on (http://[^\s,]+)")]
    private static partial Regex ListeningLine();
}
