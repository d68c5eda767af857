using System.CommandLine;
using SagaWorkflows.Cli.Rendering;
using SagaWorkflows.Cli.Watching;
using SagaWorkflows.Contracts;

namespace SagaWorkflows.Cli.Commands;

/// <summary><c>sagawf watch &lt;runId&gt;</c>: a run's events, history then live, from the bridge's SSE stream.</summary>
internal static class WatchCommand
{
    public static Command Create(CliConsole console)
    {
        var runId = CommonArguments.RunId();
        var bridge = CommonArguments.Bridge();
        var command = new Command("watch",
            "Follow a run's lifecycle events (history, then live) through the bridge until it ends. Exit code: 0 completed, 5 failed, 6 cancelled.")
        {
            runId, bridge,
        };
        command.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(console, async ct =>
        {
            var address = BridgeAddress.Resolve(parseResult.GetValue(bridge));
            using var http = RunWatcher.CreateHttpClient();
            return await FollowAsync(console, http, address, parseResult.GetValue(runId), TimeSpan.Zero, ct);
        }, cancellationToken));
        return command;
    }

    public static async Task<int> FollowAsync(CliConsole console, HttpClient http, BridgeAddress bridge, Guid runId, TimeSpan waitForRun,
        CancellationToken cancellationToken)
    {
        var renderer = new EventRenderer(console.Out);
        var watcher = new RunWatcher(http, bridge, renderer, console.Error);
        var run = await watcher.FollowAsync(runId, waitForRun, cancellationToken);
        renderer.RenderSummary(runId);
        return run.Outcome switch
        {
            LifecycleEventTypes.WorkflowComplete => ExitCodes.Success,
            LifecycleEventTypes.WorkflowCancelled => ExitCodes.RunCancelled,
            _ => ExitCodes.RunFailed,
        };
    }
}
