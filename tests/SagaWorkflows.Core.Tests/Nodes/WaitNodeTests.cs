using System.Text.Json.Nodes;
using SagaWorkflows.Contracts;
using SagaWorkflows.Core.Definitions;
using SagaWorkflows.Core.Engine;
using SagaWorkflows.Core.Nodes;
using SagaWorkflows.Core.Tests.Engine;
using static SagaWorkflows.Core.Tests.Definitions.DefinitionAssert;

namespace SagaWorkflows.Core.Tests.Nodes;

/// <summary><c>wait</c>: how it is read (signal, schema, timeout) and how it runs (suspends for a signal, times out).</summary>
public class WaitNodeTests
{
    [Fact]
    public void Wait_step_reads_signal_payload_schema_and_timeout()
    {
        var wait = Single<WaitStep>("""
            { "id": "review", "type": "wait", "signal": "approval", "timeout": "P1D",
              "schema": { "type": "object", "required": ["approved"] } }
            """);

        Assert.Equal("wait", wait.Type);
        Assert.Equal("approval", wait.Signal);
        Assert.Equal(TimeSpan.FromDays(1), wait.Timeout);
        Assert.Equal("""{"type":"object","required":["approved"]}""", wait.Schema!.ToJsonString());
    }

    [Fact]
    public void Wait_step_without_timeout_waits_indefinitely()
    {
        var wait = Single<WaitStep>("""{ "id": "review", "type": "wait", "signal": "approval" }""");

        Assert.Null(wait.Timeout);
        Assert.Null(wait.Schema);
    }

    [Fact]
    public void A_wait_times_out_into_a_step_error()
    {
        var run = RunDriver.Start("""{ "id": "w", "steps": [ { "id": "approve", "type": "wait", "signal": "ok", "timeout": "PT1H" } ] }""");
        Assert.Equal("step-suspended", run.Events[^1].Type);
        Assert.Equal([run.Now + TimeSpan.FromHours(1)], run.ScheduledWakes);

        run.Advance(TimeSpan.FromHours(1));

        Assert.Equal(RunStatus.Failed, run.State.Status);
        Assert.Equal("no 'ok' signal arrived within PT1H",
            run.Events.Single(e => e.Type == "step-error").Data!.Value.GetProperty("error").GetProperty("message").GetString());
    }

    [Fact]
    public void Signals_are_rejected_when_nothing_waits_for_them_or_the_payload_does_not_match()
    {
        var run = RunDriver.Start("""
            { "id": "w", "steps": [ { "id": "approve", "type": "wait", "signal": "approval", "schema": { "type": "object", "required": ["by"] } } ] }
            """);

        run.HandlePersisted(new SignalReceived("other", null));
        run.HandlePersisted(new SignalReceived("approval", JsonNode.Parse("""{"who":"x"}""")));
        Assert.Equal(RunStatus.Running, run.State.Status);
        run.HandlePersisted(new SignalReceived("approval", JsonNode.Parse("""{"by":"ann"}""")));
        run.HandlePersisted(new SignalReceived("approval", JsonNode.Parse("""{"by":"bob"}""")));

        Assert.Equal(3, run.Rejections.Count);
        Assert.Contains("not waiting for signal 'other'", run.Rejections[0].Reason, StringComparison.Ordinal);
        Assert.Contains("$.by: is required", run.Rejections[1].Reason, StringComparison.Ordinal);
        Assert.Contains("already finished", run.Rejections[2].Reason, StringComparison.Ordinal);
        Assert.Equal("""{"by":"ann"}""", run.State.Output!.ToJsonString());
    }

    [Fact]
    public void A_payload_schema_that_cannot_be_loaded_is_reported_where_it_is_not_when_a_signal_arrives()
    {
        var result = WorkflowDefinitionParser.Parse("""
            { "id": "w", "steps": [ { "id": "approve", "type": "wait", "signal": "approval",
                                      "schema": { "$ref": "#/definitions/decision" } } ] }
            """);

        var error = Assert.Single(result.Errors);
        Assert.Equal("$.steps[0].schema", error.Path);
        Assert.StartsWith("is not a JSON Schema that values can be checked against: ", error.Message, StringComparison.Ordinal);
        Assert.Contains("#/definitions/decision", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_payload_schema_referring_outside_itself_is_refused_without_fetching_it()
    {
        var result = WorkflowDefinitionParser.Parse("""
            { "id": "w", "steps": [ { "id": "approve", "type": "wait", "signal": "approval",
                                      "schema": { "properties": { "by": { "$ref": "http://127.0.0.1:9/person.json" } } } } ] }
            """);

        var error = Assert.Single(result.Errors);
        Assert.Equal(
            "$.steps[0].schema: external $ref is not allowed ('http://127.0.0.1:9/person.json'): a schema must be self-contained ('#/…' references only; nothing is fetched)",
            error.ToString());
    }
}
