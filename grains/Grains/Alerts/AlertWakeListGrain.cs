using Wire = OrleansTenancy.GrainInterfaces;

namespace OrleansTenancy.Grains.Alerts;

/// <summary>The tenants with alerts still to deliver (see <see cref="Wire.IAlertWakeListGrain"/>).</summary>
[GrainType("alert-wake-list")]
public sealed class AlertWakeListGrain([PersistentState(AlertWakeListGrain.StateName)] IPersistentState<AlertWakeListState> state)
    : Grain, Wire.IAlertWakeListGrain
{
    /// <summary>The name of the persisted state.</summary>
    public const string StateName = "tenants";

    /// <inheritdoc />
    public async Task AddAsync(string tenant)
    {
        ArgumentException.ThrowIfNullOrEmpty(tenant);
        if (state.State.Tenants.Add(tenant))
        {
            await StoreAsync(undo: () => state.State.Tenants.Remove(tenant));
        }
    }

    /// <inheritdoc />
    public async Task RemoveAsync(string tenant)
    {
        ArgumentException.ThrowIfNullOrEmpty(tenant);
        if (state.State.Tenants.Remove(tenant))
        {
            await StoreAsync(undo: () => state.State.Tenants.Add(tenant));
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<string>> ListAsync() => Task.FromResult<IReadOnlyList<string>>([.. state.State.Tenants.Order(StringComparer.Ordinal)]);

    /// <summary>Stores the change; when the write fails, undoes it in memory, so the caller's retry writes it again.</summary>
    private async Task StoreAsync(Func<bool> undo)
    {
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            undo();
            throw;
        }
    }
}

/// <summary>The persisted state of the <see cref="AlertWakeListGrain"/>.</summary>
public sealed class AlertWakeListState
{
    /// <summary>The listed tenant ids.</summary>
    public HashSet<string> Tenants { get; set; } = [];
}
