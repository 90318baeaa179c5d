using Microsoft.Extensions.Logging;
using OrleansTenancy.Grains.Mapping;
using OrleansTenancy.Tenancy.Registry;
using Wire = OrleansTenancy.GrainInterfaces;

namespace OrleansTenancy.Grains.Tenants.Directory;

/// <summary>
/// The tenants registered at run time (see <see cref="Wire.ITenantDirectoryGrain"/>). Calls run one at a time (not
/// reentrant), so two registrations of one id can never both pass the check; each change is stored before it is
/// answered and then pushed to every active silo (<see cref="TenantDirectoryPublisher"/>), so a tenant registered is
/// routable through any silo once the call returns.
/// </summary>
[GrainType("tenant-directory")]
public sealed partial class TenantDirectoryGrain : Grain, Wire.ITenantDirectoryGrain
{
    /// <summary>The name of the persisted state.</summary>
    public const string StateName = "directory";

    private readonly IPersistentState<TenantDirectoryState> _state;
    private readonly MergedTenantRegistrySource _registry;
    private readonly TenantDirectoryPublisher _publisher;
    private readonly TimeProvider _time;
    private readonly ILogger<TenantDirectoryGrain> _logger;

    /// <summary>Creates the grain (Orleans does this).</summary>
    public TenantDirectoryGrain(
        [PersistentState(StateName)] IPersistentState<TenantDirectoryState> state,
        MergedTenantRegistrySource registry,
        TenantDirectoryPublisher publisher,
        TimeProvider time,
        ILogger<TenantDirectoryGrain> logger)
    {
        _state = state;
        _registry = registry;
        _publisher = publisher;
        _time = time;
        _logger = logger;
    }

    private Dictionary<string, StoredTenant> Tenants => _state.State.Tenants;

    /// <inheritdoc />
    public async Task<Wire.RegisteredTenant> RegisterAsync(Wire.TenantDefinition definition)
    {
        var tenant = Validated(definition);
        if (Holder(tenant.Id) is { } holder)
        {
            throw InUse(tenant.Id, holder.Source, "registered");
        }

        return await AddAsync(tenant);
    }

    /// <inheritdoc />
    public async Task<Wire.EnsuredTenant> EnsureAsync(Wire.TenantDefinition definition)
    {
        var tenant = Validated(definition);
        return Holder(tenant.Id) is { } holder
            ? new Wire.EnsuredTenant { Tenant = holder, Created = false }
            : new Wire.EnsuredTenant { Tenant = await AddAsync(tenant), Created = true };
    }

    /// <inheritdoc />
    public async Task<Wire.RegisteredTenant> UpdateAsync(Wire.TenantDefinition definition)
    {
        var tenant = Validated(definition);
        if (!Tenants.TryGetValue(tenant.Id, out var existing))
        {
            if (YamlTenant(tenant.Id) is not null)
            {
                throw InUse(tenant.Id, Wire.TenantSource.Yaml, "changed here");
            }

            throw new Wire.UnknownTenantException(tenant.Id, null,
                $"Tenant '{tenant.Id}' is not a runtime tenant; register it first (POST /admin/tenants).");
        }

        var replaced = existing with { Name = tenant.Name, Workspaces = [.. tenant.Workspaces], Budget = tenant.Budget, UpdatedAt = _time.GetUtcNow() };
        await ChangeAsync(state => state.Tenants[tenant.Id] = replaced);
        LogChanged(_logger, "Updated", tenant.Id, _state.State.Version);
        return replaced.ToWire();
    }

    /// <inheritdoc />
    public async Task<bool> RemoveAsync(string tenantId)
    {
        ArgumentNullException.ThrowIfNull(tenantId);
        if (!Tenants.ContainsKey(tenantId))
        {
            return false;
        }

        await ChangeAsync(state => state.Tenants.Remove(tenantId));
        LogChanged(_logger, "Removed", tenantId, _state.State.Version);
        return true;
    }

    /// <inheritdoc />
    public Task<Wire.RegisteredTenant?> GetAsync(string tenantId) =>
        Task.FromResult(tenantId is not null && Tenants.TryGetValue(tenantId, out var tenant) ? tenant.ToWire() : null);

    /// <inheritdoc />
    public Task<Wire.TenantDirectorySnapshot> ListAsync() => Task.FromResult(Snapshot());

    /// <inheritdoc />
    public Task<long> GetVersionAsync() => Task.FromResult(_state.State.Version);

    /// <summary>The definition as a runtime tenant, after every rule of the tenants folder and the budget API.</summary>
    /// <exception cref="ArgumentException">A rule is broken; the parameter name is the first field, the message names each.</exception>
    private static RuntimeTenant Validated(Wire.TenantDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var tenant = definition.ToDomain();
        var problems = RuntimeTenants.Problems(tenant);
        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", problems.Select(p => $"{p.Key}: {p.Value}")), problems[0].Key);
        }

        return tenant;
    }

    /// <summary>The tenant holding <paramref name="id"/>, runtime or of the folder, or <see langword="null"/>.</summary>
    private Wire.RegisteredTenant? Holder(string id) =>
        Tenants.TryGetValue(id, out var runtime) ? runtime.ToWire() : YamlTenant(id)?.ToWire(_time.GetUtcNow());

    /// <summary>The folder's tenant of <paramref name="id"/> as this silo loaded it (the built-in <c>default</c> counts).</summary>
    private TenantDefinition? YamlTenant(string id) => _registry.Yaml.Find(id);

    private async Task<Wire.RegisteredTenant> AddAsync(RuntimeTenant tenant)
    {
        if (Tenants.Count >= RuntimeTenants.MaxTenants)
        {
            throw new InvalidOperationException(
                $"The directory holds {RuntimeTenants.MaxTenants:N0} runtime tenants, its limit; remove unused ones (DELETE /admin/tenants/{{id}}) or move tenants to the tenants folder.");
        }

        var now = _time.GetUtcNow();
        var stored = new StoredTenant { Id = tenant.Id, Name = tenant.Name, Workspaces = [.. tenant.Workspaces], Budget = tenant.Budget, CreatedAt = now, UpdatedAt = now };
        await ChangeAsync(state => state.Tenants[tenant.Id] = stored);
        LogChanged(_logger, "Registered", tenant.Id, _state.State.Version);
        return stored.ToWire();
    }

    /// <summary>
    /// Applies <paramref name="change"/> with the next version, stores it, and pushes the new snapshot to every silo. A
    /// failed write leaves the state as it was (re-read from storage) and reaches the caller.
    /// </summary>
    private async Task ChangeAsync(Action<TenantDirectoryState> change)
    {
        change(_state.State);
        _state.State.Version++;
        try
        {
            await _state.WriteStateAsync();
        }
        catch
        {
            await _state.ReadStateAsync();
            throw;
        }

        var snapshot = Snapshot();
        _registry.Apply(snapshot.Version, snapshot.ToDomain());
        await _publisher.PublishAsync(snapshot);
    }

    private Wire.TenantDirectorySnapshot Snapshot() => new()
    {
        Version = _state.State.Version,
        Tenants = [.. Tenants.Values.OrderBy(t => t.Id, StringComparer.Ordinal).Select(t => t.ToWire())],
    };

    private static Wire.TenantIdInUseException InUse(string id, Wire.TenantSource source, string what) => new(id, source, source == Wire.TenantSource.Yaml
        ? $"Tenant id '{id}' is in use by a tenant of the tenants folder (tenants/{id}/), so it cannot be {what} at run time; choose another id or change its files."
        : $"Tenant id '{id}' is in use by a runtime tenant; choose another id, or replace it (PUT /admin/tenants/{id}).");

    [LoggerMessage(Level = LogLevel.Information, Message = "{Change} runtime tenant {Tenant}; the tenant directory is at version {Version}")]
    private static partial void LogChanged(ILogger logger, string change, string tenant, long version);
}
