using System.Text;
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
/// that does not parse or validate is a retryable <c>InvalidModelOutput</c> naming the violations. A step with
/// <c>"stream": true</c> reads the reply through the client's streaming API and publishes its text as it grows, in
/// <see cref="StepProgress"/> batches (<see cref="AiStreamingOptions"/>); the whole reply is then validated as without it.
/// </summary>
/// <param name="services">The bus's services, for how it addresses the runs' queue (classic when null).</param>
/// <param name="streaming">How streamed text is batched; the defaults when null.</param>
/// <param name="time">The clock of the batching; the system's when null.</param>
public sealed partial class ExecuteAiStepConsumer(IChatClient client, ILogger<ExecuteAiStepConsumer> logger, IServiceProvider? services = null,
    AiStreamingOptions? streaming = null, TimeProvider? time = null) : IConsumer<ExecuteAiStep>
{
    private readonly Uri _runs = StepReplies.RunsAddress(services);
    private readonly AiStreamingOptions _streaming = streaming ?? new AiStreamingOptions();
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>Progress nobody read within this long is of no use to anyone: the broker drops it.</summary>
    private static readonly TimeSpan ProgressTimeToLive = TimeSpan.FromMinutes(1);

    public const string InvalidOutput = "InvalidModelOutput";

    public Task Consume(ConsumeContext<ExecuteAiStep> context)
    {
        var step = context.Message;
        return StepAttempt.RunAsync(context, step.RunId, step.ExecutionId, step.Path, step.Attempt, step.Retry, step.Timeout, step.Deadline, logger, _runs,
            (attempt, ct) => AskAsync(context, step, attempt, ct));
    }

    private async Task<JsonNode?> AskAsync(ConsumeContext context, ExecuteAiStep step, int attempt, CancellationToken cancellationToken)
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

        var text = step.Stream
            ? await StreamAsync(context, step, attempt, messages, options, cancellationToken)
            : (await client.GetResponseAsync(messages, options, cancellationToken)).Text;
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

    /// <summary>The reply through the streaming API, published in batches as it arrives; returns the whole text.</summary>
    private async Task<string> StreamAsync(ConsumeContext context, ExecuteAiStep step, int attempt, List<ChatMessage> messages, ChatOptions options,
        CancellationToken cancellationToken)
    {
        var text = new StringBuilder();
        var index = 0;
        var deltas = TextOfAsync(client.GetStreamingResponseAsync(messages, options, cancellationToken));
        await foreach (var batch in ProgressCoalescer.CoalesceAsync(deltas, _streaming.ProgressInterval, _streaming.ProgressCharacters, _time, cancellationToken))
        {
            var offset = text.Length;
            text.Append(batch);
            await PublishProgressAsync(context, new StepProgress
            {
                RunId = step.RunId,
                WorkflowId = step.WorkflowId ?? "",
                ExecutionId = step.ExecutionId,
                StepId = step.StepId,
                Path = step.Path,
                Attempt = attempt,
                Index = ++index,
                Offset = offset,
                Delta = batch,
                Timestamp = _time.GetUtcNow(),
            }, cancellationToken);
        }

        return text.ToString();
    }

    private static async IAsyncEnumerable<string> TextOfAsync(IAsyncEnumerable<ChatResponseUpdate> updates)
    {
        await foreach (var update in updates)
        {
            if (update.Text is { Length: > 0 } text)
            {
                yield return text;
            }
        }
    }

    /// <summary>
    /// Best effort, like the side channel it feeds: transient (not persisted, dropped after a minute), and a failure to
    /// publish one is logged, never the step's failure; <c>step-complete</c> carries the whole output anyway.
    /// </summary>
    private async Task PublishProgressAsync(ConsumeContext context, StepProgress progress, CancellationToken cancellationToken)
    {
        try
        {
            await context.Publish(progress, send =>
            {
                send.Durable = false;
                send.TimeToLive = ProgressTimeToLive;
            }, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogProgressNotPublished(logger, ex, progress.Path, progress.RunId, progress.Index);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Progress {Index} of streamed step {Path} of run {RunId} was not published")]
    private static partial void LogProgressNotPublished(ILogger logger, Exception exception, string path, Guid runId, int index);

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
