using Microsoft.EntityFrameworkCore;

namespace SagaWorkflows.Orchestration.Persistence;

/// <summary>
/// A saga whose state spills into rows of other tables (large collections kept out of the saga row, so a
/// transition writes what changed instead of everything). The repository writes the dependent changes in the
/// same transaction as the saga row — after it, so a version conflict on the saga row discards them too — and
/// lets the instance load its dependent rows whenever it is read from the store. Deleting the saga does not
/// delete them: a saga that gets deleted should first report deletes for its dependent rows.
/// </summary>
public interface IDurableSagaDependents
{
    /// <summary>The dependent rows this transition changed (mapped entities): to insert or update, or to delete.</summary>
    IReadOnlyList<DependentRowChange> TakeDependentChanges();

    /// <summary>Reads the dependent rows after the instance itself was read from the store.</summary>
    Task LoadDependentsAsync(DbContext dbContext, CancellationToken cancellationToken);
}

/// <param name="Entity">A mapped entity with a primary key.</param>
/// <param name="Delete">Delete the row with this key instead of writing it.</param>
public sealed record DependentRowChange(object Entity, bool Delete);
