using System.Text.Json.Nodes;
using SagaWorkflows.Contracts;
using SagaWorkflows.Core.Definitions;
using SagaWorkflows.Core.Engine;

namespace SagaWorkflows.Cli.Tests;

/// <summary>
/// Real lifecycle events for the watch tests: a sample run through the pure engine, with the demo
/// tools, compensations and signals answered as the sample worker and a user would, on a clock that
/// advances 150 ms per answer. What the CLI renders is then exactly what the orchestrator publishes.
/// </summary>
public static class EngineScript
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(150);

    public static IReadOnlyList<WorkflowLifecycleEvent> Play(string sample, Guid runId, bool cancelWhenWaiting = false)
    {
        var json = File.ReadAllText(Path.Combine(CliProcess.RepositoryRoot, "samples", sample + ".json"));
        var input = JsonNode.Parse(File.ReadAllText(Path.Combine(CliProcess.RepositoryRoot, "samples", "inputs", sample + ".json")));
        var workflow = WorkflowDefinitionParser.Parse(json).Definition!;
        var now = new DateTimeOffset(2026, 1, 1, 9, 0, 0, TimeSpan.Zero);
        var events = new List<WorkflowLifecycleEvent>();
        var tools = new List<ExecuteTool>();
        var ais = new List<ExecuteAiStep>();
        var compensations = new List<RunCompensation>();
        var result = WorkflowEngine.Start(workflow, runId, input, now, new Random(7));

        void Apply(EngineResult r)
        {
            result = r;
            foreach (var effect in r.Effects)
            {
                switch (effect)
                {
                    case PublishLifecycleEvent e:
                        events.Add(e.Event);
                        break;
                    case SendStepCommand { Command: ExecuteTool tool }:
                        tools.Add(tool);
                        break;
                    case SendStepCommand { Command: ExecuteAiStep ai }:
                        ais.Add(ai);
                        break;
                    case RunCompensation c:
                        compensations.Add(c);
                        break;
                }
            }
        }

        void Handle(RunEvent e)
        {
            now += Tick;
            Apply(WorkflowEngine.Handle(workflow, result.State, e, now, new Random(7)));
        }

        Apply(result);
        int toolsDone = 0, aisDone = 0, compensationsDone = 0;
        var signalled = new HashSet<string>();
        for (var turn = 0; turn < 1_000 && !result.State.IsFinished; turn++)
        {
            if (toolsDone < tools.Count)
            {
                PlayTool(tools[toolsDone++], Handle);
            }
            else if (aisDone < ais.Count)
            {
                var ai = ais[aisDone++];
                Handle(new StepSucceeded(ai.ExecutionId, ai.Attempt, new JsonObject { ["text"] = "offline summary" }));
            }
            else if (compensationsDone < compensations.Count)
            {
                foreach (var step in compensations[compensationsDone++].Steps)
                {
                    Handle(new StepCompensationSucceeded(step.Path, now));
                }

                Handle(new CompensationFinished(true, null, null));
            }
            else if (events.FirstOrDefault(e => e.Type == LifecycleEventTypes.StepSuspended && !signalled.Contains(e.Path!)) is { } waiting)
            {
                signalled.Add(waiting.Path!);
                Handle(cancelWhenWaiting
                    ? new CancelRequested("changed my mind")
                    : new SignalReceived("approval", new JsonObject { ["approved"] = true, ["by"] = "ada" }));
            }
            else if (result.WakeAt is { } wake)
            {
                now = wake;
                Handle(new TimerElapsed());
            }
            else
            {
                break;
            }
        }

        Assert.True(result.State.IsFinished, $"{sample} did not finish: {string.Join(", ", events.Select(e => e.Type))}");
        return events;
    }

    private static void PlayTool(ExecuteTool command, Action<RunEvent> handle)
    {
        var input = command.Input is { } i ? JsonNode.Parse(i.GetRawText()) : null;
        switch (command.Tool)
        {
            case "flaky":
                var failTimes = input!["failTimes"]!.GetValue<int>();
                for (var attempt = 1; attempt <= failTimes; attempt++)
                {
                    handle(new StepRetryScheduled(command.ExecutionId, attempt, attempt + 1, TimeSpan.FromMilliseconds(200), "Transient", "flaky failure"));
                }

                handle(new StepSucceeded(command.ExecutionId, failTimes + 1, new JsonObject { ["attempt"] = failTimes + 1 }));
                break;
            case "fail":
                var maxAttempts = command.Retry?.MaxAttempts ?? 3;
                var type = input!["errorType"]!.GetValue<string>();
                var message = input["message"]!.GetValue<string>();
                for (var attempt = 1; attempt < maxAttempts; attempt++)
                {
                    handle(new StepRetryScheduled(command.ExecutionId, attempt, attempt + 1, TimeSpan.FromMilliseconds(200), type, message));
                }

                handle(new StepFailed(command.ExecutionId, maxAttempts, type, message, true));
                break;
            default:
                handle(new StepSucceeded(command.ExecutionId, command.Attempt, input));
                break;
        }
    }
}
