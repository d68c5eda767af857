using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using MassTransit;
using Microsoft.Extensions.Logging;
using SagaWorkflows.Contracts;
using SagaWorkflows.Core.Retries;
using SagaWorkflows.WorkerSdk.Tools;

namespace SagaWorkflows.WorkerSdk.Consumers;

/// <summary>
/// Runs one attempt of a step and reports it: success, or a failure that is either redelivered
/// through the message scheduler after the policy's delay (the command leaves the queue and comes
/// back; nothing is held in memory) or reported as final. The attempt number is the command's
/// starting attempt plus MassTransit's redelivery count. An attempt whose deadline has passed is not run:
/// the run gave up on it, so nothing would wait for its result or undo it; the worker answers
/// <see cref="StepExpired"/> instead, whether or not the broker dropped the command on its time-to-live.
/// </summary>
internal static partial class StepAttempt
{
    /// <summary>The deadline of a redelivered attempt, which the run moves on when it learns of the retry.</summary>
    public const string DeadlineHeader = "SagaWorkflows-Deadline";

    public static async Task RunAsync<T>(ConsumeContext<T> context, Guid runId, Guid executionId, string path, int firstAttempt,
        StepRetryPolicy? policy, TimeSpan? timeout, DateTimeOffset? deadline, ILogger logger, Uri runs, Func<int, CancellationToken, Task<JsonNode?>> execute)
        where T : class
    {
        var attempt = firstAttempt + context.GetRedeliveryCount();
        using var telemetry = StepAttemptTelemetry.Start(context, runId, path, attempt);
        deadline = DeadlineOf(context, deadline);
        var now = DateTimeOffset.UtcNow;
        if (deadline is { } expired && now >= expired)
        {
            LogExpired(logger, path, runId, attempt, expired, now - expired);
            await StepReplies.SendAsync(context, new StepExpired { RunId = runId, ExecutionId = executionId, Path = path, Attempt = attempt, Deadline = expired }, runs);
            return;
        }

        if (!AttemptLedger.TryBegin(executionId, attempt, out var previousReply))
        {
            telemetry.End(Hosting.Telemetry.SagaWorkflowsDiagnostics.Outcomes.Duplicate, null);
            LogDuplicate(logger, path, runId, attempt, previousReply is null ? "still running, dropped" : "already done, reply sent again");
            if (previousReply is not null)
            {
                await StepReplies.SendAgainAsync(context, previousReply, runs);
            }

            return;
        }

        try
        {
            await RunOnceAsync(context, runId, executionId, path, attempt, policy, timeout, deadline, logger, runs, execute);
        }
        catch
        {
            AttemptLedger.Forget(executionId, attempt);
            throw;
        }
    }

    private static async Task RunOnceAsync<T>(ConsumeContext<T> context, Guid runId, Guid executionId, string path, int attempt,
        StepRetryPolicy? policy, TimeSpan? timeout, DateTimeOffset? deadline, ILogger logger, Uri runs, Func<int, CancellationToken, Task<JsonNode?>> execute)
        where T : class
    {
        using var attemptCancellation = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken);
        if (timeout is { } t && t > TimeSpan.Zero)
        {
            // Never past the run's deadline: a result the run no longer waits for is a side effect nothing undoes.
            var left = deadline is { } d ? d - DateTimeOffset.UtcNow : t;
            attemptCancellation.CancelAfter(left < t ? (left > TimeSpan.Zero ? left : TimeSpan.FromMilliseconds(1)) : t);
        }

        string errorType;
        string message;
        TimeSpan? retryAfter = null;
        try
        {
            var output = await execute(attempt, attemptCancellation.Token);
            await ReplyAsync(context, executionId, attempt, new StepCompleted
            {
                RunId = runId,
                ExecutionId = executionId,
                Path = path,
                Attempt = attempt,
                Output = output is null ? null : JsonSerializer.SerializeToElement(output),
            }, runs);
            return;
        }
        catch (OperationCanceledException) when (attemptCancellation.IsCancellationRequested && !context.CancellationToken.IsCancellationRequested)
        {
            errorType = "Timeout";
            message = $"attempt {attempt} did not finish within {timeout}";
        }
        catch (ToolException ex)
        {
            errorType = ex.ErrorType;
            message = ex.Message;
            retryAfter = ex.RetryAfter;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            errorType = ex.GetType().Name;
            message = ex.Message;
        }

        policy ??= new StepRetryPolicy();
        if (RetryDelays.ShouldRetry(policy, attempt, errorType))
        {
            var delay = retryAfter ?? RetryDelays.DelayBeforeAttempt(policy, attempt + 1, Random.Shared);
            LogRetrying(logger, path, runId, attempt, errorType, message, delay);
            await ReplyAsync(context, executionId, attempt, new StepRetrying
            {
                RunId = runId,
                ExecutionId = executionId,
                Path = path,
                Attempt = attempt,
                NextAttempt = attempt + 1,
                Delay = delay,
                ErrorType = errorType,
                Message = message,
            }, runs);
            var next = Core.Engine.AttemptDeadline.After(timeout, DateTimeOffset.UtcNow + delay);
            await context.Redeliver(delay, (_, send) =>
            {
                if (next is { } nextDeadline)
                {
                    // The run moves the deadline on when it learns of this retry: the redelivered attempt carries its own,
                    // and lives in the broker as long as the first attempt could.
                    send.Headers.Set(DeadlineHeader, nextDeadline.ToString("O", CultureInfo.InvariantCulture));
                    send.TimeToLive = delay + timeout!.Value;
                }
            });
            return;
        }

        LogNotRetrying(logger, path, runId, attempt, errorType, message);
        await ReplyAsync(context, executionId, attempt, new StepFaulted
        {
            RunId = runId,
            ExecutionId = executionId,
            Path = path,
            Attempt = attempt,
            ErrorType = errorType,
            Message = message,
            Retryable = RetryDelays.IsRetryable(policy, errorType),
        }, runs);
    }


    private static DateTimeOffset? DeadlineOf(ConsumeContext context, DateTimeOffset? commandDeadline) =>
        context.Headers.Get<string>(DeadlineHeader) is { } header
        && DateTimeOffset.TryParse(header, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var redelivered)
            ? redelivered
            : commandDeadline;

    private static async Task ReplyAsync<TReply>(ConsumeContext context, Guid executionId, int attempt, TReply reply, Uri runs) where TReply : class
    {
        StepAttemptTelemetry.Current?.End(reply);
        await StepReplies.SendAsync(context, reply, runs);
        AttemptLedger.Finish(executionId, attempt, reply);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Step {Path} of run {RunId}, attempt {Attempt}: not run, its deadline {Deadline:O} passed {Late} ago")]
    private static partial void LogExpired(ILogger logger, string path, Guid runId, int attempt, DateTimeOffset deadline, TimeSpan late);

    [LoggerMessage(Level = LogLevel.Information, Message = "Duplicate command for step {Path} of run {RunId}, attempt {Attempt}: {Action}")]
    private static partial void LogDuplicate(ILogger logger, string path, Guid runId, int attempt, string action);

    [LoggerMessage(Level = LogLevel.Information, Message = "Step {Path} of run {RunId} failed on attempt {Attempt} ({ErrorType}: {Message}); retrying in {Delay}")]
    private static partial void LogRetrying(ILogger logger, string path, Guid runId, int attempt, string errorType, string message, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Information, Message = "Step {Path} of run {RunId} failed on attempt {Attempt} ({ErrorType}: {Message}); not retrying")]
    private static partial void LogNotRetrying(ILogger logger, string path, Guid runId, int attempt, string errorType, string message);
}
