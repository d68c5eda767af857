namespace SagaWorkflows.Cli.Tests;

/// <summary><c>sagawf redrive</c> asks the bridge and reports its answer: redriven, refused with why, or an unknown run.</summary>
public sealed class RedriveCommandTests : IAsyncDisposable
{
    private readonly FakeBridge _bridge = new();

    public async ValueTask DisposeAsync() => await _bridge.DisposeAsync();

    [Fact]
    public async Task A_redriven_run_exits_0_saying_where_it_goes_on()
    {
        var runId = Guid.NewGuid();
        _bridge.AnswerRedrive(runId, 202, new { runId, afterSequence = 7, outcome = "redriven" });

        var result = await CliProcess.RunAsync("redrive", runId.ToString(), "--bridge", _bridge.Url);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains($"run {runId} redriven", result.StdOut, StringComparison.Ordinal);
        Assert.Contains("going on after event 7", result.StdOut, StringComparison.Ordinal);
        Assert.Contains($"sagawf watch {runId}", result.StdOut, StringComparison.Ordinal);
        Assert.Equal([runId], _bridge.Redrives);
    }

    [Fact]
    public async Task A_refused_redrive_exits_8_with_the_reason()
    {
        var runId = Guid.NewGuid();
        _bridge.AnswerRedrive(runId, 409, new
        {
            title = "Run cannot be redriven",
            status = 409,
            detail = $"Run {runId} failed and compensation ran (Compensated): a compensated run is not redriven; start a new run.",
        });

        var result = await CliProcess.RunAsync("redrive", runId.ToString(), "--bridge", _bridge.Url);

        Assert.True(result.ExitCode == 8, result.ToString());
        Assert.Contains("cannot be redriven", result.StdErr, StringComparison.Ordinal);
        Assert.Contains("a compensated run is not redriven", result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_run_exits_4_and_an_unreachable_bridge_3()
    {
        var runId = Guid.NewGuid();

        var unknown = await CliProcess.RunAsync("redrive", runId.ToString(), "--bridge", _bridge.Url);
        var unreachable = await CliProcess.RunAsync("redrive", runId.ToString(), "--bridge", "http://127.0.0.1:9");

        Assert.True(unknown.ExitCode == 4, unknown.ToString());
        Assert.Contains(runId.ToString(), unknown.StdErr, StringComparison.Ordinal);
        Assert.True(unreachable.ExitCode == 3, unreachable.ToString());
        Assert.Contains("could not be reached", unreachable.StdErr, StringComparison.Ordinal);
    }
}
