using System.Data.Common;
using MassTransit;
using MassTransit.Courier.Contracts;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using SagaWorkflows.Contracts;

namespace SagaWorkflows.Orchestration.Runs;

/// <summary>
/// Outermost on the runs endpoint: a message that still fails once its retries are spent goes to the error queue
/// (MassTransit's own fault handling, by rethrowing) and its run is failed with a <c>workflow-error</c> naming the
/// failure, instead of hanging, or being woken again and again by the supervisor. Store failures are left alone:
/// they say nothing about the run, and failing it would need the very store that is failing.
/// </summary>
public sealed partial class PoisonMessageFilter(int attempts, ILogger logger) : IFilter<ConsumeContext>
{
    public async Task Send(ConsumeContext context, IPipe<ConsumeContext> next)
    {
        try
        {
            await next.Send(context).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsPoison(ex, context))
        {
            var runId = RunIdOf(context);
            if (runId is { } id && id != Guid.Empty && !context.TryGetMessage<FailWorkflowRun>(out _))
            {
                var messageType = context.SupportedMessageTypes.FirstOrDefault() ?? "message";
                var reason = $"a {ShortName(messageType)} message for this run failed {attempts} time{(attempts == 1 ? "" : "s")}: "
                    + $"{ex.GetType().Name}: {Truncate(ex.Message)}. It was moved to the error queue.";
                try
                {
                    // The runs queue is the one this filter consumes from: its own input address, whatever the queue type.
                    var endpoint = await context.GetSendEndpoint(context.ReceiveContext.InputAddress).ConfigureAwait(false);
                    await endpoint.Send(new FailWorkflowRun { RunId = id, Reason = reason }, context.CancellationToken).ConfigureAwait(false);
                }
                catch (Exception sendFailure) when (sendFailure is not OutOfMemoryException)
                {
                    LogFailRequestFailed(logger, sendFailure, id);
                }
            }

            throw;
        }
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("poisonRunMessages");

    private static bool IsPoison(Exception ex, ConsumeContext context) =>
        ex is not OutOfMemoryException && !Persistence.StoreFailures.IsStoreFailure(ex)
        && !(ex is OperationCanceledException && context.CancellationToken.IsCancellationRequested);

    /// <summary>The run a message of the runs queue belongs to.</summary>
    internal static Guid? RunIdOf(ConsumeContext context)
    {
        if (context.TryGetMessage<StartWorkflow>(out var start))
        {
            return start.Message.RunId;
        }

        if (context.TryGetMessage<WakeWorkflowRun>(out var wake))
        {
            return wake.Message.RunId;
        }

        if (context.TryGetMessage<StepCompleted>(out var completed))
        {
            return completed.Message.RunId;
        }

        if (context.TryGetMessage<StepFaulted>(out var faulted))
        {
            return faulted.Message.RunId;
        }

        if (context.TryGetMessage<StepRetrying>(out var retrying))
        {
            return retrying.Message.RunId;
        }

        if (context.TryGetMessage<SignalWorkflow>(out var signal))
        {
            return signal.Message.RunId;
        }

        if (context.TryGetMessage<SuspendWorkflow>(out var suspend))
        {
            return suspend.Message.RunId;
        }

        if (context.TryGetMessage<ResumeWorkflow>(out var resume))
        {
            return resume.Message.RunId;
        }

        if (context.TryGetMessage<ChildRunFinished>(out var child))
        {
            return child.Message.RunId;
        }

        if (context.TryGetMessage<ChildRunStarted>(out var childStarted))
        {
            return childStarted.Message.RunId;
        }

        if (context.TryGetMessage<CancelWorkflow>(out var cancel))
        {
            return cancel.Message.RunId;
        }

        if (context.TryGetMessage<RedriveWorkflow>(out var redrive))
        {
            return redrive.Message.RunId;
        }

        if (context.TryGetMessage<RoutingSlipCompleted>(out var slipCompleted))
        {
            return slipCompleted.Message.TrackingNumber;
        }

        if (context.TryGetMessage<RoutingSlipFaulted>(out var slipFaulted))
        {
            return slipFaulted.Message.TrackingNumber;
        }

        if (context.TryGetMessage<RoutingSlipActivityCompleted>(out var activity))
        {
            return activity.Message.TrackingNumber;
        }

        return context.CorrelationId;
    }

    private static string ShortName(string messageType)
    {
        var name = messageType[(messageType.LastIndexOf(':') + 1)..];
        return name.Length > 0 ? name : messageType;
    }

    private static string Truncate(string text) => text.Length <= 300 ? text : text[..300] + "…";

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not ask to fail run {RunId} after its poison message")]
    private static partial void LogFailRequestFailed(ILogger logger, Exception exception, Guid runId);
}
