using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace SagaWorkflows.Hosting.Telemetry;

/// <summary>
/// The product's <see cref="ActivitySource"/> and <see cref="Meter"/>, both named <see cref="Name"/>, and the instruments
/// every component records to. They cost nothing while no listener (an OpenTelemetry SDK, a test's listener) is attached.
/// </summary>
public static class SagaWorkflowsDiagnostics
{
    /// <summary>The name of the activity source and of the meter: add it to a tracer or meter provider to collect them.</summary>
    public const string Name = "SagaWorkflows";

    /// <summary>MassTransit's own activity source and meter (spans for every send, receive and consume).</summary>
    public const string MassTransitName = "MassTransit";

    public static readonly ActivitySource ActivitySource = new(Name, typeof(SagaWorkflowsDiagnostics).Assembly.GetName().Version?.ToString());

    public static readonly Meter Meter = new(Name, typeof(SagaWorkflowsDiagnostics).Assembly.GetName().Version?.ToString());

    /// <summary>Runs the orchestrator started (rejected definitions included: they end at once as failed).</summary>
    public static readonly Counter<long> RunsStarted = Meter.CreateCounter<long>("sagawf.runs.started", "{run}",
        "Workflow runs started by the orchestrator.");

    /// <summary>Runs that reached a final status, tagged <see cref="Tags.RunStatus"/> (completed, failed, compensated, compensation_failed, cancelled).</summary>
    public static readonly Counter<long> RunsEnded = Meter.CreateCounter<long>("sagawf.runs.ended", "{run}",
        "Workflow runs that reached a final status, by status.");

    /// <summary>One step attempt on a worker, tagged with the tool and the outcome.</summary>
    public static readonly Histogram<double> StepDuration = Meter.CreateHistogram<double>("sagawf.step.duration", "s",
        "Duration of one step attempt on a worker, by tool and outcome.");

    /// <summary>Attempts that failed and were scheduled again, by tool.</summary>
    public static readonly Counter<long> StepRetries = Meter.CreateCounter<long>("sagawf.step.retries", "{retry}",
        "Step attempts that failed and were redelivered for another attempt, by tool.");

    /// <summary>Saga transitions that shared one store commit (group commit).</summary>
    public static readonly Histogram<int> CommitBatchSize = Meter.CreateHistogram<int>("sagawf.store.commit.batch_size", "{transition}",
        "Saga transitions committed together in one store transaction.");

    /// <summary>
    /// Saga transitions whose write lost to another writer of the same run (another orchestrator sharing the store, or a
    /// stale cached copy) and are retried from a fresh read: the optimistic-concurrency cost of scaling out.
    /// </summary>
    public static readonly Counter<long> StoreConflicts = Meter.CreateCounter<long>("sagawf.store.conflicts", "{transition}",
        "Saga transitions retried because another writer changed the run first (optimistic concurrency).");

    /// <summary>Rows deleted by retention, by store and table.</summary>
    public static readonly Counter<long> RowsPurged = Meter.CreateCounter<long>("sagawf.retention.purged", "{row}",
        "Rows of finished runs deleted by retention, by store and table.");

    /// <summary>Attribute names on spans and measurements.</summary>
    public static class Tags
    {
        public const string WorkflowId = "sagawf.workflow.id";
        public const string RunId = "sagawf.run.id";
        public const string RunStatus = "sagawf.run.status";
        public const string StepId = "sagawf.step.id";
        public const string StepPath = "sagawf.step.path";
        public const string Tool = "sagawf.tool";
        public const string Attempt = "sagawf.step.attempt";
        public const string Outcome = "sagawf.step.outcome";
        public const string ErrorType = "error.type";
        public const string Store = "sagawf.store";
        public const string Table = "sagawf.table";
    }

    /// <summary>Baggage carried with a run's messages (MassTransit propagates it in headers), so workers can name the workflow.</summary>
    public static class Baggage
    {
        public const string WorkflowId = "sagawf.workflow.id";
    }

    /// <summary>How a step attempt ended.</summary>
    public static class Outcomes
    {
        public const string Completed = "completed";
        public const string Retrying = "retrying";
        public const string Failed = "failed";
        public const string Duplicate = "duplicate";
    }
}
