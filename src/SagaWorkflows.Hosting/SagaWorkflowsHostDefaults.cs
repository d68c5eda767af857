using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Memory;

namespace SagaWorkflows.Hosting;

/// <summary>Defaults the SagaWorkflows hosts share, beneath every other configuration source.</summary>
public static class SagaWorkflowsHostDefaults
{
    /// <summary>
    /// Log levels a host starts with unless appsettings or the environment say otherwise: EF Core's
    /// per-command SQL log and the libraries' chatter at Warning, the host's own lifecycle at Information.
    /// </summary>
    public static IReadOnlyDictionary<string, string?> Logging { get; } = new Dictionary<string, string?>
    {
        ["Logging:LogLevel:Default"] = "Information",
        ["Logging:LogLevel:Microsoft"] = "Warning",
        ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Information",
        ["Logging:LogLevel:Microsoft.EntityFrameworkCore"] = "Warning",
        ["Logging:LogLevel:MassTransit"] = "Warning",
        ["Logging:LogLevel:Quartz"] = "Warning",
    };

    /// <summary>Puts <see cref="Logging"/> (and <paramref name="more"/>) beneath every other source.</summary>
    public static IConfigurationManager AddSagaWorkflowsHostDefaults(this IConfigurationManager configuration,
        IEnumerable<KeyValuePair<string, string?>>? more = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = Logging.Concat(more ?? []) });
        return configuration;
    }
}
