using OrleansTenancy.GrainInterfaces;

namespace OrleansTenancy.Client;

/// <summary>
/// Tenants registered at run time (<see cref="ITenantDirectoryGrain"/>): durable, seen by every silo, used for routing,
/// budgets, usage, rate limits and memory like a tenant of the YAML folder. Reached as <see cref="TenancyClient.Directory"/>.
/// </summary>
/// <remarks>
/// Every call but <see cref="RegisterAsync"/> is safe to repeat and is tried again when its transport fails
/// (<see cref="TenancyClientOptions.RetryAttempts"/>). A register is not: one that reached the cluster before its
/// gateway failed would be refused as a duplicate when sent again; use <see cref="EnsureAsync"/> for that.
/// </remarks>
public sealed class TenantDirectoryClient
{
    private readonly TenancyClient _client;

    internal TenantDirectoryClient(TenancyClient client) => _client = client;

    private ITenantDirectoryGrain Grain => _client.Cluster.GetGrain<ITenantDirectoryGrain>(TenantDirectory.Key);

    /// <summary>Registers a new runtime tenant.</summary>
    /// <exception cref="TenantIdInUseException">The id is in use; the message names it and its source.</exception>
    /// <exception cref="ArgumentException">The definition breaks a rule; the message names each field broken, starting with the first (<c>id: …</c>).</exception>
    public Task<RegisteredTenant> RegisterAsync(TenantDefinition definition, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(definition);
        return Grain.RegisterAsync(definition).WaitAsync(cancellationToken);
    }

    /// <summary>Registers the tenant unless one with its id exists, which is returned unchanged; never duplicates.</summary>
    /// <exception cref="ArgumentException">The definition breaks a rule; the message names each field broken, starting with the first (<c>id: …</c>).</exception>
    public Task<EnsuredTenant> EnsureAsync(TenantDefinition definition, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(definition);
        return _client.Calls.RunAsync("EnsureTenant", () => Grain.EnsureAsync(definition), cancellationToken);
    }

    /// <summary>Replaces a runtime tenant's name, workspaces and budget.</summary>
    /// <exception cref="TenantIdInUseException">The id is a YAML tenant's.</exception>
    /// <exception cref="UnknownTenantException">No tenant has the id.</exception>
    /// <exception cref="ArgumentException">The definition breaks a rule; the message names each field broken, starting with the first (<c>id: …</c>).</exception>
    public Task<RegisteredTenant> UpdateAsync(TenantDefinition definition, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(definition);
        return _client.Calls.RunAsync("UpdateTenant", () => Grain.UpdateAsync(definition), cancellationToken);
    }

    /// <summary>Removes a runtime tenant; <see langword="false"/> when no runtime tenant has the id.</summary>
    public Task<bool> RemoveAsync(string tenantId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(tenantId);
        return _client.Calls.RunAsync("RemoveTenant", () => Grain.RemoveAsync(tenantId), cancellationToken);
    }

    /// <summary>The runtime tenant with the id, or <see langword="null"/>.</summary>
    public Task<RegisteredTenant?> GetAsync(string tenantId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(tenantId);
        return _client.Calls.RunAsync("GetTenant", () => Grain.GetAsync(tenantId), cancellationToken);
    }

    /// <summary>Every runtime tenant and the directory's version.</summary>
    public Task<TenantDirectorySnapshot> ListAsync(CancellationToken cancellationToken = default) =>
        _client.Calls.RunAsync("ListTenants", () => Grain.ListAsync(), cancellationToken);
}
