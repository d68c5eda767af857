using System.Text.Json.Nodes;
using SagaWorkflows.Contracts;
using SagaWorkflows.Core.Engine;
using SagaWorkflows.Core.Tests.Engine;

namespace SagaWorkflows.Core.Tests.Definitions;

/// <summary>
/// Runs each sample through the pure engine with the demo tools played as the sample worker
/// documents them, so a sample the README walks through cannot silently stop working (a typo in an
/// expression only shows when it is evaluated).
/// </summary>
public class SampleRunTests
{
    [Fact]
    public void Hello_passes_data_through_three_sequential_steps()
    {
        var run = Play("hello");

        Assert.Equal(RunStatus.Completed, run.State.Status);
        Assert.Equal(["greet", "pause", "shout"], run.ToolCommands.Select(c => c.Path));
        Assert.Equal(["echo", "delay", "echo"], run.ToolCommands.Select(c => c.Tool));
        Assert.Equal("""{"message":"HELLO, ADA!","waitedMs":200}""", run.State.Output!.ToJsonString());
    }

    [Fact]
    public void Order_fulfillment_retries_the_flaky_reservation_and_completes()
    {
        var run = Play("order-fulfillment");

        Assert.Equal(RunStatus.Completed, run.State.Status);
        Assert.Equal(2, run.Events.Count(e => e.Type == LifecycleEventTypes.StepRetry && e.Path == "reserve"));
        Assert.Single(run.AiCommands, c => c.Model == "default");
        var output = run.State.Output!.AsObject();
        Assert.Equal("LBL-A-1001", output["label"]!.GetValue<string>());
        Assert.Equal("[30,12.5]", output["charged"]!.ToJsonString());
        Assert.Equal(3, output["pollIterations"]!.GetValue<int>());
        Assert.Equal("""{"approved":true,"by":"policy"}""", output["approval"]!.ToJsonString());
        Assert.Contains("perItem[1].charge", run.ToolCommands.Select(c => c.Path));
        Assert.Contains("poll#3.check", run.ToolCommands.Select(c => c.Path));
    }

    [Fact]
    public void Control_flow_runs_parallel_foreach_loop_branch_and_sleep()
    {
        var run = Play("control-flow");

        Assert.Equal(RunStatus.Completed, run.State.Status);
        var output = run.State.Output!.AsObject();
        Assert.Equal("[1,4,9]", output["squares"]!.ToJsonString());
        Assert.Equal(3, output["loopIterations"]!.GetValue<int>());
        Assert.Equal("few", output["size"]!.GetValue<string>());
        Assert.Equal(["fast", "slow"], output["parallel"]!.AsObject().Select(p => p.Key));
        Assert.Contains(run.Events, e => e.Type == LifecycleEventTypes.StepComplete && e.Path == "nap");
    }

    [Fact]
    public void Approval_waits_for_the_signal_and_takes_the_approved_branch()
    {
        var run = Play("approval");

        Assert.Equal(RunStatus.Completed, run.State.Status);
        Assert.Contains(run.Events, e => e.Type == LifecycleEventTypes.StepSuspended && e.Path == "approve");
        Assert.Equal("approved", run.State.Output!["status"]!.GetValue<string>());
        Assert.Equal("ada", run.State.Output!["by"]!.GetValue<string>());
    }

    [Fact]
    public void Compensation_undoes_completed_steps_in_reverse_order_after_the_last_step_fails()
    {
        var run = Play("compensation");

        Assert.Equal(RunStatus.Compensated, run.State.Status);
        Assert.Single(run.Events, e => e.Type == LifecycleEventTypes.StepRetry && e.Path == "ship");
        Assert.Equal(["charge", "reserve"],
            run.Events.Where(e => e.Type == LifecycleEventTypes.StepCompensated).Select(e => e.Path));
        Assert.Equal(LifecycleEventTypes.WorkflowError, run.Events[^1].Type);
    }

    [Fact]
    public void Child_runs_pack_each_item_and_the_damaged_one_undoes_the_packed_children_and_the_order_in_reverse()
    {
        var json = File.ReadAllText(Path.Combine(RepositoryFiles.SamplesDirectory, "child-runs.json"));
        var input = JsonNode.Parse(File.ReadAllText(Path.Combine(RepositoryFiles.SamplesDirectory, "inputs", "child-runs.json")));

        var world = Engine.Ordering.SimulatedWorld.Run(json, input, order: null);

        Assert.Equal(RunStatus.Compensated, world.State.Status);
        Assert.Equal(3, world.Children.Count);
        Assert.Equal([RunStatus.Completed, RunStatus.Completed, RunStatus.Compensated], world.Children.Values.Select(c => c.State.Status));
        Assert.Equal(["perItem[1].pack/reserve", "perItem[0].pack/reserve", "open"],
            world.Events.Where(e => e.Type == LifecycleEventTypes.StepCompensated).Select(e => e.Path));
    }

    /// <summary>Answers whatever the run waits for, as the sample worker and a user would.</summary>
    private static RunDriver Play(string sample)
    {
        var json = File.ReadAllText(Path.Combine(RepositoryFiles.SamplesDirectory, sample + ".json"));
        var input = JsonNode.Parse(File.ReadAllText(Path.Combine(RepositoryFiles.SamplesDirectory, "inputs", sample + ".json")));
        var run = RunDriver.Start(json, input);
        var answeredTools = new HashSet<Guid>();
        var answeredAi = new HashSet<Guid>();
        var compensationsDone = 0;
        var signalled = new HashSet<string>();

        for (var turn = 0; turn < 1_000 && !run.State.IsFinished; turn++)
        {
            if (run.ToolCommands.FirstOrDefault(c => !answeredTools.Contains(c.ExecutionId)) is { } tool)
            {
                answeredTools.Add(tool.ExecutionId);
                PlayTool(run, tool);
            }
            else if (run.AiCommands.FirstOrDefault(c => !answeredAi.Contains(c.ExecutionId)) is { } ai)
            {
                answeredAi.Add(ai.ExecutionId);
                run.HandlePersisted(new StepSucceeded(ai.ExecutionId, ai.Attempt, new JsonObject { ["text"] = "offline summary" }));
            }
            else if (compensationsDone < run.Compensations.Count)
            {
                foreach (var step in run.Compensations[compensationsDone++].Steps)
                {
                    run.HandlePersisted(new StepCompensationSucceeded(step.Path, run.Now));
                }

                run.HandlePersisted(new CompensationFinished(true, null, null));
            }
            else if (run.Events.FirstOrDefault(e => e.Type == LifecycleEventTypes.StepSuspended && !signalled.Contains(e.Path!)) is { } waiting)
            {
                signalled.Add(waiting.Path!);
                run.HandlePersisted(new SignalReceived("approval", new JsonObject { ["approved"] = true, ["by"] = "ada" }));
            }
            else if (run.WakeAt is { } wake)
            {
                run.Advance(wake - run.Now);
            }
            else
            {
                break;
            }
        }

        Assert.True(run.State.IsFinished, $"{sample} did not finish: {string.Join(", ", run.Types)}");
        return run;
    }

    private static void PlayTool(RunDriver run, ExecuteTool command)
    {
        var input = command.Input is { } i ? JsonNode.Parse(i.GetRawText()) : null;
        switch (command.Tool)
        {
            case "echo" or "delay":
                run.HandlePersisted(new StepSucceeded(command.ExecutionId, command.Attempt, input));
                break;
            case "flaky":
                var failTimes = input!["failTimes"]!.GetValue<int>();
                var errorType = input["errorType"]!.GetValue<string>();
                for (var attempt = 1; attempt <= failTimes; attempt++)
                {
                    run.HandlePersisted(new StepRetryScheduled(command.ExecutionId, attempt, attempt + 1, TimeSpan.FromMilliseconds(200), errorType, "flaky"));
                }

                run.HandlePersisted(new StepSucceeded(command.ExecutionId, failTimes + 1, new JsonObject { ["attempt"] = failTimes + 1 }));
                break;
            case "fail":
                var maxAttempts = command.Retry?.MaxAttempts ?? 3;
                var type = input!["errorType"]!.GetValue<string>();
                var message = input["message"]!.GetValue<string>();
                for (var attempt = 1; attempt < maxAttempts; attempt++)
                {
                    run.HandlePersisted(new StepRetryScheduled(command.ExecutionId, attempt, attempt + 1, TimeSpan.FromMilliseconds(200), type, message));
                }

                run.HandlePersisted(new StepFailed(command.ExecutionId, maxAttempts, type, message, true));
                break;
            default:
                Assert.Fail($"the samples use only the demo tools, not '{command.Tool}'");
                break;
        }
    }
}
