using System.Text.Json;
using System.Text.Json.Nodes;
using MassTransit;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using SagaWorkflows.Contracts;
using SagaWorkflows.Core.Schemas;
using SagaWorkflows.WorkerSdk.Consumers;
using SagaWorkflows.WorkerSdk.Tools;

namespace SagaWorkflows.WorkerSdk.Ai;

/// <summary>
/// Runs <c>ai</c> steps for one model: asks the registered <see cref="IChatClient"/>, requesting
/// JSON shaped by <c>outputSchema</c> when there is one, and validates the reply against it. A reply
/// that does not parse or validate is a retryable <c>InvalidModelOutput</c> naming the violations.
/// </summary>
/// <param name="services">The bus's services, for how it addresses the runs' queue (classic when null).</param>
public sealed class ExecuteAiStepConsumer(IChatClient client, ILogger<ExecuteAiStepConsumer> logger, IServiceProvider? services = null) : IConsumer<ExecuteAiStep>
{
    private readonly Uri _runs = StepReplies.RunsAddress(services);

    public const string InvalidOutput = "InvalidModelOutput";

    public Task Consume(ConsumeContext<ExecuteAiStep> context)
    {
        var step = context.Message;
        return StepAttempt.RunAsync(context, step.RunId, step.ExecutionId, step.Path, step.Attempt, step.Retry, step.Timeout, step.Deadline, logger, _runs,
            (_, ct) => AskAsync(step, ct));
    }

    private async Task<JsonNode?> AskAsync(ExecuteAiStep step, CancellationToken cancellationToken)
    {
        var messages = new List<ChatMessage>();
        if (step.System is { Length: > 0 } system)
        {
            messages.Add(new ChatMessage(ChatRole.System, system));
        }

        messages.Add(new ChatMessage(ChatRole.User, step.Prompt));
        var options = new ChatOptions();
        JsonNode? schema = null;
        if (step.OutputSchema is { ValueKind: JsonValueKind.Object } outputSchema)
        {
            schema = JsonNode.Parse(outputSchema.GetRawText());
            options.ResponseFormat = ChatResponseFormat.ForJsonSchema(outputSchema, step.StepId);
        }

        var response = await client.GetResponseAsync(messages, options, cancellationToken);
        var text = response.Text;
        if (schema is null)
        {
            return JsonValue.Create(text);
        }

        JsonNode? output;
        try
        {
            output = JsonNode.Parse(StripFences(text));
        }
        catch (JsonException ex)
        {
            throw new ToolException(InvalidOutput, $"the model's reply is not JSON: {ex.Message}");
        }

        var problems = SchemaValidator.Validate(schema, output);
        if (problems.Count > 0)
        {
            throw new ToolException(InvalidOutput, $"the model's reply does not match outputSchema: {string.Join("; ", problems)}");
        }

        return output;
    }

    /// <summary>Models often wrap JSON in a markdown code fence even when asked not to.</summary>
    private static string StripFences(string text)
    {
        var trimmed = text.Trim();
        if (!trimmed.StartsWith("```", StringComparison.Ordinal))
        {
            return trimmed;
        }

        var firstLineEnd = trimmed.IndexOf('\n', StringComparison.Ordinal);
        var closing = trimmed.LastIndexOf("```", StringComparison.Ordinal);
        return firstLineEnd > 0 && closing > firstLineEnd ? trimmed[(firstLineEnd + 1)..closing].Trim() : trimmed;
    }
}
