using Microsoft.Extensions.Configuration;
using SagaWorkflows.Core.Definitions;

namespace SagaWorkflows.Cli.Input;

/// <summary>
/// The definition limits the orchestrator would apply, from the same settings (<c>SagaWorkflows:Limits</c>, in the
/// environment as <c>SagaWorkflows__Limits__MaxSteps=…</c>), so what <c>sagawf validate</c> accepts is what the
/// orchestrator configured alike runs.
/// </summary>
public static class ConfiguredLimits
{
    public static WorkflowLimits Read() => Read(new ConfigurationBuilder().AddEnvironmentVariables().Build());

    public static WorkflowLimits Read(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var limits = new WorkflowLimits();
        try
        {
            configuration.GetSection(WorkflowLimits.SectionName).Bind(limits);
        }
        catch (InvalidOperationException ex)
        {
            throw new CliException(ExitCodes.InvalidInput, $"{WorkflowLimits.SectionName}: {ex.Message}",
                "fix or unset the SagaWorkflows__Limits__… environment variable");
        }

        if (limits.Check() is { Count: > 0 } problems)
        {
            throw new CliException(ExitCodes.InvalidInput, string.Join("; ", problems),
                "fix or unset the SagaWorkflows__Limits__… environment variable");
        }

        return limits;
    }
}
