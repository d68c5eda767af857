using System.Text.Json;
using System.Text.Json.Nodes;
using SagaWorkflows.Contracts;
using SagaWorkflows.Core.Definitions;
using SagaWorkflows.Core.Engine;
using SagaWorkflows.Core.Nodes;
using SagaWorkflows.Core.Tests.Engine;
using static SagaWorkflows.Core.Tests.Definitions.DefinitionAssert;

namespace SagaWorkflows.Core.Tests.Nodes;

/// <summary><c>workflow</c>: how it is read and checked, and how a parent runs, steers and undoes its child runs.</summary>
public class WorkflowNodeTests
{
    private const string Child = """
        { "id": "child", "steps": [
            { "id": "reserve", "type": "tool", "tool": "echo", "compensate": { "tool": "release", "input": { "r": "${ steps.reserve.n }" } } },
            { "id": "charge", "type": "tool", "tool": "echo", "compensate": { "tool": "refund" } } ] }
        """;

    // ---- reading and validation ----

    [Fact]
    public void Reads_a_registered_child_with_version_input_and_retry()
    {
        var step = Single<WorkflowStep>("""
            { "id": "sub", "type": "workflow", "workflowId": "child", "version": 2, "input": { "n": "${ input.n }" }, "retry": { "maxAttempts": 3 } }
            """);

        Assert.Equal("child", step.WorkflowId);
        Assert.Equal(2, step.Version);
        Assert.Null(step.DefinitionJson);
        Assert.Equal("""{"n":"${ input.n }"}""", step.Input!.ToJsonString());
        Assert.Equal(3, step.Retry!.MaxAttempts);
    }

    [Fact]
    public void Reads_an_inline_definition_as_a_definition_of_its_own()
    {
        var step = Single<WorkflowStep>($$"""{ "id": "sub", "type": "workflow", "definition": {{Child}} }""");

        Assert.Null(step.WorkflowId);
        Assert.Equal("child", step.DefinitionId);
        Assert.True(WorkflowDefinitionParser.Parse(step.DefinitionJson!).IsValid);
    }

    [Fact]
    public void Needs_exactly_one_of_workflowId_and_definition() =>
        AssertErrors("""
            { "id": "w", "steps": [
                { "id": "none", "type": "workflow" },
                { "id": "both", "type": "workflow", "workflowId": "x", "definition": { "id": "y", "steps": [ { "id": "a", "type": "sleep", "duration": "PT1S" } ] } } ] }
            """,
            "$.steps[0]: needs 'workflowId' (a registered workflow) or 'definition' (an inline workflow definition)",
            "$.steps[1]: give either 'workflowId' (a registered workflow) or 'definition' (inline), not both");

    [Fact]
    public void Problems_of_an_inline_definition_are_reported_at_their_path_inside_it() =>
        AssertStepErrors("""
            { "id": "sub", "type": "workflow", "definition": { "id": "inner", "steps": [ { "id": "a", "type": "tool" } ] } }
            """,
            "$.steps[0].definition.steps[0].tool: is required");

    [Fact]
    public void A_definition_that_calls_itself_is_refused_with_the_path() =>
        AssertErrors("""
            { "id": "w", "steps": [ { "id": "p", "type": "parallel", "branches": { "x": [ { "id": "again", "type": "workflow", "workflowId": "w" } ] } } ] }
            """,
            "$.steps[0].branches.x[0].workflowId: workflow 'w' calls itself (w → w); a child run may not run a workflow it is part of");

    [Fact]
    public void An_inline_child_that_calls_its_parent_is_refused() =>
        AssertErrors("""
            { "id": "w", "steps": [ { "id": "sub", "type": "workflow", "definition": { "id": "inner", "steps": [
                { "id": "back", "type": "workflow", "workflowId": "w" } ] } } ] }
            """,
            "$.steps[0].definition.steps[0].workflowId: workflow 'w' calls itself (w → inner → w); a child run may not run a workflow it is part of");

    [Fact]
    public void Registered_children_are_resolved_unknown_ids_versions_and_cycles_are_reported_with_paths()
    {
        var registry = new Dictionary<(string, int), string>
        {
            [("a", 1)] = """{ "id": "a", "steps": [ { "id": "toB", "type": "workflow", "workflowId": "b" } ] }""",
            [("b", 1)] = """{ "id": "b", "steps": [ { "id": "toA", "type": "workflow", "workflowId": "a" } ] }""",
            [("leaf", 1)] = """{ "id": "leaf", "steps": [ { "id": "x", "type": "tool", "tool": "echo" } ] }""",
        };
        var root = Parse("""
            { "id": "root", "steps": [
                { "id": "ok", "type": "workflow", "workflowId": "leaf" },
                { "id": "missing", "type": "workflow", "workflowId": "nope" },
                { "id": "oldVersion", "type": "workflow", "workflowId": "leaf", "version": 7 },
                { "id": "loop", "type": "workflow", "workflowId": "a" } ] }
            """);

        var errors = ChildWorkflowReferences.Check(root, (id, version) =>
            version is { } v ? registry.GetValueOrDefault((id, v)) : registry.FirstOrDefault(e => e.Key.Item1 == id).Value);

        Assert.Equal(
        [
            "$.steps[1].workflowId: unknown workflow 'nope': register it with the orchestrator or inline it as 'definition'",
            "$.steps[2].workflowId: unknown workflow 'leaf' version 7: register it with the orchestrator or inline it as 'definition'",
            "$.steps[3].workflowId: workflow 'a' calls itself (root → a → b → a); a child run may not run a workflow it is part of",
        ], errors.Select(e => e.ToString()));
    }

    [Fact]
    public void A_chain_of_children_deeper_than_the_limit_is_refused_before_running()
    {
        var limits = new WorkflowLimits { MaxChildDepth = 2 };
        string Level(int n) => $$"""{ "id": "l{{n}}", "steps": [ { "id": "down", "type": "workflow", "workflowId": "l{{n + 1}}" } ] }""";
        var root = WorkflowDefinitionParser.Parse(Level(0), limits).Definition!;

        var errors = ChildWorkflowReferences.Check(root, (id, _) => id == "l9" ? null : Level(int.Parse(id[1..], System.Globalization.CultureInfo.InvariantCulture)));

        var error = Assert.Single(errors);
        Assert.Equal("$.steps[0].workflowId", error.Path);
        Assert.Contains("child runs nest deeper than 2 levels (l0 → l1 → l2", error.Message, StringComparison.Ordinal);
    }

    // ---- running ----

    [Fact]
    public void Starts_the_child_through_a_run_message_under_a_derived_id_named_by_step_start()
    {
        var runId = Guid.NewGuid();
        var parent = RunDriver.Start("""
            { "id": "parent", "steps": [ { "id": "sub", "type": "workflow", "workflowId": "child", "version": 3, "input": { "n": "${ input.n }" } } ] }
            """, new { n = 5 }, runId: runId);

        var start = Assert.IsType<StartWorkflow>(Assert.Single(parent.RunMessages));
        Assert.Equal(ChildRunIds.For(runId, "sub", 1), start.RunId);
        Assert.Equal("child", start.WorkflowId);
        Assert.Equal(3, start.Version);
        Assert.Equal("""{"n":5}""", start.Input!.Value.GetRawText());
        Assert.Equal(new ParentRun { RunId = runId, Path = "sub", Depth = 1 }, start.Parent);
        var stepStart = parent.Events.Single(e => e.Type == LifecycleEventTypes.StepStart);
        Assert.Equal(start.RunId.ToString(), stepStart.Data!.Value.GetProperty("childRunId").GetString());

        // A replayed transition (the same start delivered twice) names the same child: one child run.
        var again = RunDriver.Start(parent.Workflow.Json, new { n = 5 }, runId: runId);
        Assert.Equal(start.RunId, Assert.IsType<StartWorkflow>(Assert.Single(again.RunMessages)).RunId);
    }

    [Fact]
    public void The_childs_output_is_the_steps_output_and_a_duplicate_report_changes_nothing()
    {
        var parent = RunDriver.Start("""
            { "id": "parent", "steps": [ { "id": "sub", "type": "workflow", "workflowId": "child" },
                                         { "id": "after", "type": "tool", "tool": "echo", "input": "${ steps.sub.total }" } ] }
            """);
        var childId = StartedChildren(parent).Single().RunId;
        var report = new ChildRunEnded(childId, nameof(RunStatus.Completed), new JsonObject { ["total"] = 42 }, null, []);

        parent.HandlePersisted(report);
        parent.HandlePersisted(report);

        Assert.Single(parent.Events, e => e.Type == LifecycleEventTypes.StepComplete && e.Path == "sub");
        Assert.Equal("42", parent.Pending("after").Input!.Value.GetRawText());
    }

    [Fact]
    public void A_failing_child_fails_the_step_and_the_run()
    {
        var parent = RunDriver.Start("""{ "id": "parent", "steps": [ { "id": "sub", "type": "workflow", "workflowId": "child" } ] }""");
        var childId = StartedChildren(parent).Single().RunId;

        parent.HandlePersisted(new ChildRunEnded(childId, nameof(RunStatus.Compensated), null, new StepError("Boom", "it broke"), []));

        Assert.Equal(RunStatus.Failed, parent.State.Status);
        var error = parent.Events.Single(e => e.Type == LifecycleEventTypes.StepError).Data!.Value.GetProperty("error");
        Assert.Equal("Boom", error.GetProperty("type").GetString());
        Assert.Equal($"child run {childId} ended Compensated: it broke", error.GetProperty("message").GetString());
        Assert.Single(StartedChildren(parent));
    }

    [Fact]
    public void Retry_starts_a_fresh_child_per_attempt_and_ignores_the_old_attempts_late_report()
    {
        var runId = Guid.NewGuid();
        var parent = RunDriver.Start("""
            { "id": "parent", "steps": [ { "id": "sub", "type": "workflow", "workflowId": "child", "retry": { "maxAttempts": 2, "initialInterval": "PT10S" } } ] }
            """, runId: runId);
        var first = StartedChildren(parent).Single().RunId;

        parent.HandlePersisted(new ChildRunEnded(first, nameof(RunStatus.Failed), null, new StepError("Transient", "try again"), []));
        var retry = parent.Events.Single(e => e.Type == LifecycleEventTypes.StepRetry);
        var second = ChildRunIds.For(runId, "sub", 2);
        Assert.Equal(second.ToString(), retry.Data!.Value.GetProperty("childRunId").GetString());
        Assert.Single(StartedChildren(parent)); // not before the delay

        parent.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal([first, second], StartedChildren(parent).Select(s => s.RunId));
        Assert.NotEqual(first, second);

        parent.HandlePersisted(new ChildRunEnded(first, nameof(RunStatus.Failed), null, new StepError("Transient", "late duplicate"), []));
        Assert.Equal(RunStatus.Running, parent.State.Status);

        parent.HandlePersisted(new ChildRunEnded(second, nameof(RunStatus.Completed), JsonValue.Create("ok"), null, []));
        Assert.Equal(RunStatus.Completed, parent.State.Status);
        Assert.Equal("\"ok\"", parent.State.Output!.ToJsonString());
    }

    [Fact]
    public void Suspend_and_resume_reach_the_running_child_and_a_child_reached_while_suspended_starts_on_resume()
    {
        var parent = RunDriver.Start("""
            { "id": "parent", "steps": [ { "id": "a", "type": "tool", "tool": "echo" },
                                         { "id": "p", "type": "parallel", "branches": {
                                             "x": [ { "id": "one", "type": "workflow", "workflowId": "child" } ],
                                             "y": [ { "id": "b", "type": "tool", "tool": "echo" }, { "id": "two", "type": "workflow", "workflowId": "child" } ] } } ] }
            """);
        parent.Complete("a", 1);
        var one = StartedChildren(parent).Single().RunId;

        parent.HandlePersisted(new SuspendRequested());
        Assert.Equal(one, Assert.IsType<SuspendWorkflow>(parent.RunMessages[^1]).RunId);

        parent.Complete("p.b", 2); // completes while suspended: the next child waits
        Assert.Single(StartedChildren(parent));

        parent.HandlePersisted(new ResumeRequested());
        Assert.Equal(one, parent.RunMessages.OfType<ResumeWorkflow>().Single().RunId);
        Assert.Equal(2, StartedChildren(parent).Count);
        Assert.DoesNotContain(parent.RunMessages.OfType<ResumeWorkflow>(), r => r.RunId != one);
    }

    [Fact]
    public void Commands_that_may_have_reached_the_child_before_its_start_are_repeated_when_it_says_it_started()
    {
        var parent = RunDriver.Start("""{ "id": "parent", "steps": [ { "id": "sub", "type": "workflow", "workflowId": "hold" } ] }""");
        var child = StartedChildren(parent).Single().RunId;
        parent.HandlePersisted(new SuspendRequested());
        parent.HandlePersisted(new ResumeRequested());
        parent.HandlePersisted(new SuspendRequested());
        var sent = parent.RunMessages.Count;

        parent.HandlePersisted(new ChildRunBegan(child));

        // Paused now: the latest suspend again, under its generation, so an older resume arriving late cannot undo it.
        Assert.Equal(new SuspendWorkflow { RunId = child, Generation = 3 }, Assert.Single(parent.RunMessages.Skip(sent)));

        parent.HandlePersisted(new CancelRequested("stop"));
        sent = parent.RunMessages.Count;
        parent.HandlePersisted(new ChildRunBegan(child));
        Assert.Equal(child, Assert.IsType<CancelWorkflow>(Assert.Single(parent.RunMessages.Skip(sent))).RunId);
    }

    [Fact]
    public void A_child_applies_its_parents_suspends_and_resumes_in_generation_order()
    {
        var child = RunDriver.Start("""{ "id": "c", "steps": [ { "id": "w", "type": "wait", "signal": "go" } ] }""",
            parent: new ParentRun { RunId = Guid.NewGuid(), Path = "sub", Depth = 1 });

        child.HandlePersisted(new ResumeRequested { Generation = 2 }); // overtook the suspend
        child.HandlePersisted(new SuspendRequested { Generation = 1 });

        Assert.False(child.State.Suspended);
        child.HandlePersisted(new SuspendRequested { Generation = 3 });
        Assert.True(child.State.Suspended);
    }

    [Fact]
    public void Cancelling_the_parent_cancels_the_running_child_waits_for_its_end_then_compensates_in_reverse()
    {
        var parent = RunDriver.Start("""
            { "id": "parent", "steps": [ { "id": "a", "type": "tool", "tool": "echo", "compensate": { "tool": "undoA" } },
                                         { "id": "sub", "type": "workflow", "workflowId": "child" } ] }
            """);
        parent.Complete("a", 1);
        var child = StartedChildren(parent).Single().RunId;

        parent.HandlePersisted(new CancelRequested("stop"));
        parent.HandlePersisted(new CancelRequested("stop again"));

        var cancel = Assert.Single(parent.RunMessages.OfType<CancelWorkflow>());
        Assert.Equal(child, cancel.RunId);
        Assert.Empty(parent.Compensations); // the child is still running: its end is waited for

        parent.HandlePersisted(new ChildRunEnded(child, nameof(RunStatus.Cancelled), null, new StepError(ErrorTypes.Cancelled, "parent cancelled"), []));
        Assert.Equal(["a"], Assert.Single(parent.Compensations).Steps.Select(s => s.Path));
    }

    [Fact]
    public void A_completed_childs_compensations_run_in_the_parents_reverse_order()
    {
        var parent = RunDriver.Start("""
            { "id": "parent", "steps": [ { "id": "a", "type": "tool", "tool": "echo", "compensate": { "tool": "undoA" } },
                                         { "id": "sub", "type": "workflow", "workflowId": "child" },
                                         { "id": "b", "type": "tool", "tool": "echo", "compensate": { "tool": "undoB" } },
                                         { "id": "boom", "type": "tool", "tool": "fail" } ] }
            """);
        parent.Complete("a", 1);
        var childId = StartedChildren(parent).Single().RunId;

        // The child itself, run by the same engine: it completes and reports its pending compensations.
        var child = RunDriver.Start(Child, new { n = 7 }, parent: new ParentRun { RunId = parent.State.RunId, Path = "sub", Depth = 1 }, runId: childId);
        child.Complete("reserve", new { n = 7 });
        child.Complete("charge", new { paid = true });
        var report = child.RunMessages.OfType<ChildRunFinished>().Single();
        Assert.Equal(["reserve", "charge"], report.Compensations.Select(c => c.Path));

        parent.HandlePersisted(ChildRuns.ToEvent(report));
        parent.Complete("b", 2);
        parent.Fail("boom");

        var plan = Assert.Single(parent.Compensations).Steps;
        Assert.Equal(["b", "sub/charge", "sub/reserve", "a"], plan.Select(s => s.Path));
        Assert.Equal(["undoB", "refund", "release", "undoA"], plan.Select(s => s.Tool));
        Assert.Equal("""{"r":7}""", plan[2].Input!.ToJsonString());
    }

    [Fact]
    public void The_child_names_its_parent_in_workflow_start_and_reports_its_end()
    {
        var parentRun = new ParentRun { RunId = Guid.NewGuid(), Path = "perItem[2].sub", Depth = 1 };
        var child = RunDriver.Start("""{ "id": "child", "steps": [ { "id": "x", "type": "tool", "tool": "fail" } ] }""", parent: parentRun);

        var start = child.Events[0].Data!.Value.GetProperty("parent");
        Assert.Equal(parentRun.RunId.ToString(), start.GetProperty("runId").GetString());
        Assert.Equal("perItem[2].sub", start.GetProperty("path").GetString());
        var started = Assert.IsType<ChildRunStarted>(Assert.Single(child.RunMessages));
        Assert.Equal((parentRun.RunId, child.State.RunId), (started.RunId, started.ChildRunId));

        child.Fail("x", "Boom", "no stock");

        var report = Assert.IsType<ChildRunFinished>(child.RunMessages[^1]);
        Assert.Equal(parentRun.RunId, report.RunId);
        Assert.Equal(child.State.RunId, report.ChildRunId);
        Assert.Equal(nameof(RunStatus.Failed), report.Status);
        Assert.Equal("Boom", report.ErrorType);
        Assert.Empty(report.Compensations);
    }

    [Fact]
    public void A_child_rejected_at_start_still_answers_its_parent()
    {
        var parentRun = new ParentRun { RunId = Guid.NewGuid(), Path = "sub", Depth = 1 };

        var result = WorkflowEngine.Reject(Guid.NewGuid(), "nope", "unknown workflow 'nope'", [], DateTimeOffset.UnixEpoch, parentRun);

        var report = Assert.IsType<ChildRunFinished>(Assert.Single(result.Effects.OfType<SendRunMessage>()).Message);
        Assert.Equal(parentRun.RunId, report.RunId);
        Assert.Equal(ErrorTypes.Validation, report.ErrorType);
    }

    [Fact]
    public void A_run_at_the_depth_limit_starts_no_child_and_fails_the_step()
    {
        var limits = new WorkflowLimits { MaxChildDepth = 2 };
        var run = RunDriver.Start("""{ "id": "deep", "steps": [ { "id": "sub", "type": "workflow", "workflowId": "child" } ] }""",
            limits: limits, parent: new ParentRun { RunId = Guid.NewGuid(), Path = "x", Depth = 2 });

        Assert.Empty(StartedChildren(run));
        Assert.Equal(RunStatus.Failed, run.State.Status);
        var error = run.Events.Single(e => e.Type == LifecycleEventTypes.StepError).Data!.Value.GetProperty("error");
        Assert.Equal(ErrorTypes.Validation, error.GetProperty("type").GetString());
        Assert.Contains("SagaWorkflows:Limits:MaxChildDepth", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_child_run_state_survives_a_round_trip_through_json()
    {
        var parent = RunDriver.Start("""{ "id": "parent", "steps": [ { "id": "sub", "type": "workflow", "workflowId": "child" } ] }""");
        var json = JsonSerializer.Serialize(parent.State, CoreJson.Options);

        var state = JsonSerializer.Deserialize<RunState>(json, CoreJson.Options)!;

        var node = Assert.IsType<ChildRunState>(state.Root.Current);
        Assert.Equal(StartedChildren(parent).Single().RunId, node.ChildRunId);
        Assert.Equal(ChildRunPhase.Running, node.Phase);
    }

    private static List<StartWorkflow> StartedChildren(RunDriver driver) => driver.RunMessages.OfType<StartWorkflow>().ToList();
}
