using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Quartz;
using SagaWorkflows.Contracts;
using SagaWorkflows.Core.Engine;
using SagaWorkflows.Core.Schemas;
using SagaWorkflows.Orchestration.Definitions;

namespace SagaWorkflows.Orchestration.Schedules;

/// <summary>
/// The schedules, kept by the durable scheduler (Quartz): one durable job per schedule, carrying the <see cref="ScheduleSpec"/>,
/// and its one trigger. An add is checked whole (the schedule, then the workflow, version and input against the definitions)
/// before the job and trigger are stored together, so a refused add leaves nothing behind.
/// </summary>
public sealed partial class WorkflowSchedules(ISchedulerFactory schedulers, IWorkflowDefinitionRegistry registry, DefinitionCache definitions,
    OrchestratorOptions options, TimeProvider time, ILogger<WorkflowSchedules> logger)
{
    public async Task<object> AddAsync(AddSchedule request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var spec = ScheduleSpec.TryCreate(request, options.ScheduleMisfirePolicy, time.GetUtcNow(), out var problems);
        if (spec is null)
        {
            return Refused(request.Id, ScheduleRefusalReasons.Invalid, problems);
        }

        if (CheckWorkflow(spec) is { Count: > 0 } workflowProblems)
        {
            return Refused(spec.Id, ScheduleRefusalReasons.Invalid, workflowProblems);
        }

        var scheduler = await schedulers.GetScheduler(cancellationToken);
        if (await FindAsync(scheduler, spec.Id, cancellationToken) is { } existing)
        {
            return SameOrConflict(spec, existing.Spec, existing.Trigger);
        }

        var job = JobBuilder.Create<StartScheduledRunJob>()
            .WithIdentity(StartScheduledRunJob.JobKeyFor(spec.Id))
            .WithDescription($"Starts a run of {spec.WorkflowId} ({spec.Cron ?? spec.Interval})")
            .StoreDurably()
            .RequestRecovery()
            .UsingJobData(StartScheduledRunJob.SpecKey, StartScheduledRunJob.WriteSpec(spec))
            .Build();
        var trigger = TriggerBuilder.Create()
            .WithIdentity(StartScheduledRunJob.TriggerKeyFor(spec.Id))
            .ForJob(job.Key)
            .StartAt(ScheduleSpec.FirstStart(time.GetUtcNow()))
            .WithSchedule(spec.ToScheduleBuilder())
            .Build();

        try
        {
            // The job and its trigger in one call: both are stored, or neither.
            await scheduler.ScheduleJob(job, [trigger], new ScheduleJobOptions(), cancellationToken);
        }
        catch (ObjectAlreadyExistsException)
        {
            // Another add of the same id won the race; answer as if it had come first.
            if (await FindAsync(scheduler, spec.Id, cancellationToken) is { } raced)
            {
                return SameOrConflict(spec, raced.Spec, raced.Trigger);
            }

            throw;
        }

        var stored = await scheduler.GetTrigger(trigger.Key, cancellationToken);
        LogAdded(logger, spec.Id, spec.WorkflowId, spec.Cron ?? spec.Interval ?? "", stored?.NextFireTimeUtc);
        return new ScheduleAdded { Schedule = spec.ToInfo(stored?.NextFireTimeUtc, null), Created = true };
    }

    public async Task<object> RemoveAsync(RemoveSchedule request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var scheduler = await schedulers.GetScheduler(cancellationToken);
        if (string.IsNullOrEmpty(request.Id) || !await scheduler.DeleteJob(StartScheduledRunJob.JobKeyFor(request.Id), cancellationToken))
        {
            return Refused(request.Id, ScheduleRefusalReasons.NotFound, [$"there is no schedule '{request.Id}'."]);
        }

        LogRemoved(logger, request.Id);
        return new ScheduleRemoved { Id = request.Id };
    }

    public async Task<ScheduleList> ListAsync(ListSchedules request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var scheduler = await schedulers.GetScheduler(cancellationToken);
        var keys = request.Id is { Length: > 0 } id
            ? [StartScheduledRunJob.JobKeyFor(id)]
            : await scheduler.GetJobKeys(GroupMatcher<JobKey>.GroupEquals(StartScheduledRunJob.Group), cancellationToken);
        var schedules = new List<WorkflowScheduleInfo>();
        foreach (var key in keys.OrderBy(k => k.Name, StringComparer.Ordinal))
        {
            if (await FindAsync(scheduler, key.Name, cancellationToken) is { } found)
            {
                schedules.Add(found.Spec.ToInfo(found.Trigger?.NextFireTimeUtc, found.Trigger?.PreviousFireTimeUtc));
            }
        }

        return new ScheduleList { Schedules = schedules };
    }

    /// <summary>The workflow and version must be known now, and the input must fit the definition's inputSchema.</summary>
    private List<string> CheckWorkflow(ScheduleSpec spec)
    {
        var problems = new List<string>();
        var json = registry.Find(spec.WorkflowId, spec.Version);
        if (json is null)
        {
            var versions = registry.List().Where(d => d.Id == spec.WorkflowId).Select(d => d.Version).Order().ToList();
            if (versions.Count > 0 && spec.Version is { } version)
            {
                problems.Add($"$.version: workflow '{spec.WorkflowId}' has no version {version} (the orchestrator has {string.Join(", ", versions)}).");
            }
            else
            {
                var known = registry.List().Select(d => d.Id).Distinct().Order(StringComparer.Ordinal).Take(20).ToList();
                problems.Add($"$.workflowId: the orchestrator knows no workflow '{spec.WorkflowId}'" +
                    (known.Count > 0 ? $" (it knows {string.Join(", ", known)})." : " (it has no definitions: add them to its definitions folder)."));
            }

            return problems;
        }

        var parsed = definitions.Get(json);
        if (parsed.Definition?.InputSchema is { } schema)
        {
            foreach (var problem in SchemaValidator.Validate(schema, CoreJson.ToNode(spec.Input)))
            {
                problems.Add(problem.StartsWith('$') ? "$.input" + problem[1..] : "$.input: " + problem);
            }
        }

        return problems;
    }

    private static object SameOrConflict(ScheduleSpec requested, ScheduleSpec existing, ITrigger? trigger) =>
        requested.SameRequestAs(existing)
            ? new ScheduleAdded { Schedule = existing.ToInfo(trigger?.NextFireTimeUtc, trigger?.PreviousFireTimeUtc), Created = false }
            : Refused(requested.Id, ScheduleRefusalReasons.Conflict,
                [$"$.id: schedule '{requested.Id}' already exists with other fields; remove it first, or add this one under another id."]);

    private static async Task<(ScheduleSpec Spec, ITrigger? Trigger)?> FindAsync(IScheduler scheduler, string id, CancellationToken cancellationToken)
    {
        var job = await scheduler.GetJobDetail(StartScheduledRunJob.JobKeyFor(id), cancellationToken);
        if (job is null)
        {
            return null;
        }

        var trigger = await scheduler.GetTrigger(StartScheduledRunJob.TriggerKeyFor(id), cancellationToken);
        return (StartScheduledRunJob.ReadSpec(job.JobDataMap), trigger);
    }

    private static ScheduleRefused Refused(string id, string reason, IReadOnlyList<string> problems) =>
        new() { Id = id, Reason = reason, Problems = problems };

    [LoggerMessage(Level = LogLevel.Information, Message = "Schedule {ScheduleId} added: {WorkflowId} on {When}, next fire {NextFireTime:O}")]
    private static partial void LogAdded(ILogger logger, string scheduleId, string workflowId, string when, DateTimeOffset? nextFireTime);

    [LoggerMessage(Level = LogLevel.Information, Message = "Schedule {ScheduleId} removed")]
    private static partial void LogRemoved(ILogger logger, string scheduleId);
}
