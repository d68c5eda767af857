using System.Text.Json.Nodes;
using SagaWorkflows.Core.Engine;
using SagaWorkflows.Core.Nodes;
using SagaWorkflows.Core.Tests.Engine;
using static SagaWorkflows.Core.Tests.Definitions.DefinitionAssert;

namespace SagaWorkflows.Core.Tests.Nodes;

/// <summary><c>ai</c>: how it is read (model, prompts, output schema) and how it runs (rendered prompts to the model's queue).</summary>
public class AiNodeTests
{
    [Fact]
    public void Ai_step_reads_model_prompts_output_schema_retry_and_timeout()
    {
        var ai = Single<AiStep>("""
            { "id": "summary", "type": "ai", "model": "default",
              "system": "You are terse.", "prompt": "Summarise order ${ input.orderId }",
              "outputSchema": { "type": "object", "required": ["text"] },
              "retry": { "maxAttempts": 2 }, "timeout": "PT2M" }
            """);

        Assert.Equal("ai", ai.Type);
        Assert.Equal("default", ai.Model);
        Assert.Equal("You are terse.", ai.System);
        Assert.Equal("Summarise order ${ input.orderId }", ai.Prompt);
        Assert.Equal("""{"type":"object","required":["text"]}""", ai.OutputSchema!.ToJsonString());
        Assert.Equal(2, ai.Retry!.MaxAttempts);
        Assert.Equal(TimeSpan.FromMinutes(2), ai.Timeout);
    }

    [Fact]
    public void Ai_step_needs_only_model_and_prompt()
    {
        var ai = Single<AiStep>("""{ "id": "s", "type": "ai", "model": "default", "prompt": "Hi" }""");

        Assert.Null(ai.System);
        Assert.Null(ai.OutputSchema);
        Assert.Null(ai.Retry);
        Assert.Null(ai.Timeout);
        Assert.False(ai.Stream);
    }

    [Fact]
    public void A_streamed_ai_step_says_so_in_its_command()
    {
        Assert.True(Single<AiStep>("""{ "id": "s", "type": "ai", "model": "default", "prompt": "Hi", "stream": true }""").Stream);

        var run = RunDriver.Start("""
            { "id": "w", "steps": [ { "id": "s", "type": "ai", "model": "default", "prompt": "Hi", "stream": true } ] }
            """, new { });

        var command = Assert.Single(run.AiCommands);
        Assert.True(command.Stream);
        Assert.Equal("w", command.WorkflowId);
    }

    [Fact]
    public void Stream_must_be_a_boolean()
    {
        AssertErrors("""{ "id": "w", "steps": [ { "id": "s", "type": "ai", "model": "default", "prompt": "Hi", "stream": "yes" } ] }""",
            "$.steps[0].stream: must be true or false, not \"yes\"");
    }

    [Fact]
    public void Ai_steps_render_prompts_and_go_to_the_model_queue()
    {
        var run = RunDriver.Start("""
            { "id": "w", "steps": [ { "id": "summary", "type": "ai", "model": "default", "system": "You are terse.",
                "prompt": "Summarise order ${ input.orderId } with ${ input.items.length } items",
                "outputSchema": { "type": "object", "required": ["text"] } } ] }
            """, JsonNode.Parse("""{ "orderId": "O-7", "items": [1, 2, 3] }"""));

        var command = Assert.Single(run.AiCommands);
        Assert.Equal("Summarise order O-7 with 3 items", command.Prompt);
        Assert.Equal("You are terse.", command.System);
        Assert.Equal("sagawf-ai-default", run.Sends.Single().Queue);
        run.HandlePersisted(new StepSucceeded(command.ExecutionId, 1, JsonNode.Parse("""{"text":"ok"}""")));
        Assert.Equal("""{"text":"ok"}""", run.State.Output!.ToJsonString());
    }
}
