namespace OrleansTenancy.GrainInterfaces;

/// <summary>Keys and names of the tenant directory.</summary>
public static class TenantDirectory
{
    /// <summary>The key of the one directory activation of a cluster.</summary>
    public const string Key = "directory";

    /// <summary>The workspace a runtime tenant gets when its definition names none.</summary>
    public const string DefaultWorkspace = "main";
}

/// <summary>
/// The tenants registered at run time, held durably (the grain storage of the tenant grains) and seen by every silo:
/// each silo's tenant registry is its YAML tenants merged with these. One activation for the cluster, key
/// <see cref="TenantDirectory.Key"/>.
/// </summary>
/// <remarks>
/// An id is either a YAML tenant's or a runtime tenant's: registering an id the YAML folder holds is refused, and a
/// YAML tenant that appears later under a runtime tenant's id is reported as a registry problem (the runtime tenant
/// stays in use until it is removed).
/// </remarks>
[Alias("OrleansTenancy.ITenantDirectoryGrain")]
public interface ITenantDirectoryGrain : IGrainWithStringKey
{
    /// <summary>Registers a new runtime tenant.</summary>
    /// <exception cref="TenantIdInUseException">The id is in use by a YAML or a runtime tenant; the message names the id and its source.</exception>
    /// <exception cref="ArgumentException">The definition breaks a rule; the message names each field broken, starting with the first (<c>id: …</c>).</exception>
    [Alias("Register")]
    Task<RegisteredTenant> RegisterAsync(TenantDefinition definition);

    /// <summary>
    /// Registers the tenant unless one with its id exists (YAML or runtime), which is then returned unchanged
    /// (<see cref="EnsuredTenant.Created"/> is <see langword="false"/>). Never creates two tenants of one id, also when
    /// several callers ensure the same id at once.
    /// </summary>
    /// <exception cref="ArgumentException">The definition breaks a rule; the message names each field broken, starting with the first (<c>id: …</c>).</exception>
    [Alias("Ensure")]
    Task<EnsuredTenant> EnsureAsync(TenantDefinition definition);

    /// <summary>Replaces a runtime tenant's name, workspaces and budget.</summary>
    /// <exception cref="TenantIdInUseException">The id is a YAML tenant's (those are changed in their files).</exception>
    /// <exception cref="UnknownTenantException">No tenant has the id.</exception>
    /// <exception cref="ArgumentException">The definition breaks a rule; the message names each field broken, starting with the first (<c>id: …</c>).</exception>
    [Alias("Update")]
    Task<RegisteredTenant> UpdateAsync(TenantDefinition definition);

    /// <summary>Removes a runtime tenant; <see langword="false"/> when no runtime tenant has the id (YAML tenants are never removed).</summary>
    [Alias("Remove")]
    Task<bool> RemoveAsync(string tenantId);

    /// <summary>The runtime tenant with the id, or <see langword="null"/>.</summary>
    [Alias("Get")]
    Task<RegisteredTenant?> GetAsync(string tenantId);

    /// <summary>Every runtime tenant and the directory's version.</summary>
    [Alias("List")]
    Task<TenantDirectorySnapshot> ListAsync();

    /// <summary>The directory's version (<see cref="TenantDirectorySnapshot.Version"/>), which silos poll to notice a change they missed.</summary>
    [Alias("GetVersion")]
    Task<long> GetVersionAsync();
}
