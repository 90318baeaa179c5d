using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace OrleansTenancy.Client.EntityFrameworkCore;

/// <summary>
/// Creates the cluster tenant of every LLM tenant entity a <c>SaveChanges</c> inserts, once the insert has succeeded
/// (so an id the database generates is known): <see cref="ILlmTenants.EnsureLlmTenantAsync"/> for each, which links an
/// existing tenant of that id rather than duplicating it. Entities of types that are no LLM tenants are left alone.
/// </summary>
/// <remarks>
/// <para>
/// The rows are saved first: when the cluster cannot be reached, or refuses a tenant (an id that is not a slug, a
/// limit out of range), <c>SaveChanges</c> throws that error after the rows were committed. Ensuring again later, for
/// example with <see cref="ILlmTenants.EnsureLlmTenantAsync"/> at the entity's first use, repairs it, because ensuring
/// is idempotent.
/// </para>
/// <para>
/// The synchronous <c>SaveChanges</c> waits for the cluster; prefer <c>SaveChangesAsync</c>.
/// </para>
/// </remarks>
public sealed class LlmTenantSaveChangesInterceptor : SaveChangesInterceptor
{
    private readonly ILlmTenants _tenants;
    private readonly ConditionalWeakTable<DbContext, List<object>> _inserting = [];

    /// <summary>Creates the interceptor over the service's LLM tenants.</summary>
    public LlmTenantSaveChangesInterceptor(ILlmTenants tenants)
    {
        ArgumentNullException.ThrowIfNull(tenants);
        _tenants = tenants;
    }

    /// <inheritdoc />
    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Remember(eventData);
        return result;
    }

    /// <inheritdoc />
    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(
        DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Remember(eventData);
        return ValueTask.FromResult(result);
    }

    /// <inheritdoc />
    public override int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        EnsureAsync(eventData, CancellationToken.None).GetAwaiter().GetResult();
        return result;
    }

    /// <inheritdoc />
    public override async ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        await EnsureAsync(eventData, cancellationToken);
        return result;
    }

    /// <inheritdoc />
    public override void SaveChangesFailed(DbContextErrorEventData eventData) => Forget(eventData);

    /// <inheritdoc />
    public override Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        Forget(eventData);
        return Task.CompletedTask;
    }

    private void Remember(DbContextEventData eventData)
    {
        if (eventData.Context is not { } context)
        {
            return;
        }

        var inserted = context.ChangeTracker.Entries()
            .Where(e => e.State == EntityState.Added && _tenants.OptionsFor(e.Entity.GetType()) is not null)
            .Select(e => e.Entity)
            .ToList();
        _inserting.AddOrUpdate(context, inserted);
    }

    private async Task EnsureAsync(DbContextEventData eventData, CancellationToken cancellationToken)
    {
        if (eventData.Context is not { } context || !_inserting.TryGetValue(context, out var inserted))
        {
            return;
        }

        _inserting.Remove(context);
        foreach (var entity in inserted)
        {
            await _tenants.EnsureLlmTenantAsync(entity, cancellationToken);
        }
    }

    private void Forget(DbContextEventData eventData)
    {
        if (eventData.Context is { } context)
        {
            _inserting.Remove(context);
        }
    }
}
