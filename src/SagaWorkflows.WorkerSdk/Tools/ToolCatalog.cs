using Microsoft.Extensions.DependencyInjection;

namespace SagaWorkflows.WorkerSdk.Tools;

/// <summary>
/// The tools a worker hosts. Tool classes are resolved once, when the bus is built (their
/// <see cref="IWorkflowTool.Name"/> names their queue), so they live as singletons.
/// </summary>
public sealed class ToolCatalog
{
    private readonly List<Func<IServiceProvider, IWorkflowTool>> _factories = [];

    internal void Add(Func<IServiceProvider, IWorkflowTool> factory) => _factories.Add(factory);

    public IReadOnlyDictionary<string, IWorkflowTool> Build(IServiceProvider services)
    {
        var tools = new Dictionary<string, IWorkflowTool>(StringComparer.Ordinal);
        foreach (var factory in _factories)
        {
            var tool = factory(services);
            if (string.IsNullOrWhiteSpace(tool.Name))
            {
                throw new InvalidOperationException($"tool {tool.GetType().Name} has no Name");
            }

            if (!tools.TryAdd(tool.Name, tool))
            {
                throw new InvalidOperationException($"two tools are named '{tool.Name}'");
            }
        }

        return tools;
    }

    internal static Func<IServiceProvider, IWorkflowTool> ClassFactory<TTool>() where TTool : class, IWorkflowTool =>
        sp => ActivatorUtilities.GetServiceOrCreateInstance<TTool>(sp);
}
