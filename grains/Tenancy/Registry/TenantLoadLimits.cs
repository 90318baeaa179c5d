namespace OrleansTenancy.Tenancy.Registry;

/// <summary>
/// Bounds on what loading a tenants folder may read, so that one hostile or mistaken file (a 3 GB file, a link to
/// <c>/dev/zero</c>, a million workspaces) is a problem of that file and not an outage of the silo.
/// </summary>
public sealed record TenantLoadLimits
{
    /// <summary>The limits used when none are given.</summary>
    public static TenantLoadLimits Default { get; } = new();

    /// <summary>The largest tenant file read, in bytes. Defaults to 1 MiB (1,048,576), far above any real tenant file.</summary>
    public long MaxFileBytes { get; init; } = 1024 * 1024;

    /// <summary>The most workspaces one tenant may define. Defaults to 1,000.</summary>
    public int MaxWorkspacesPerTenant { get; init; } = 1000;
}
