using Microsoft.Extensions.DependencyInjection;

namespace SagaWorkflows.Orchestration.Retention;

internal static class RetentionServiceCollectionExtensions
{
    public static IServiceCollection AddRunRetention(this IServiceCollection services)
    {
        services.AddSingleton<RunRetention>();
        services.AddHostedService<RunRetentionService>();
        return services;
    }
}
