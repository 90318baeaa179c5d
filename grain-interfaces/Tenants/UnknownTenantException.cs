namespace OrleansTenancy.GrainInterfaces;

/// <summary>
/// A call named a tenant, or a workspace of a tenant, that the silo's tenant registry does not hold. The message names
/// the id and where tenants come from; <see cref="Tenant"/> and <see cref="Workspace"/> carry the ids.
/// </summary>
[GenerateSerializer, Alias("OrleansTenancy.UnknownTenantException")]
public sealed class UnknownTenantException : Exception
{
    /// <summary>Creates the exception with a generic message.</summary>
    public UnknownTenantException()
        : base("The tenant is not known to the cluster.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public UnknownTenantException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the exception that caused it.</summary>
    public UnknownTenantException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for a tenant, or a workspace of it, with a message naming them.</summary>
    public UnknownTenantException(string tenant, string? workspace, string message)
        : base(message)
    {
        Tenant = tenant;
        Workspace = workspace;
    }

    /// <summary>The tenant id the call named.</summary>
    [Id(0)]
    public string? Tenant { get; init; }

    /// <summary>The workspace the call named, when the tenant is known and the workspace is not.</summary>
    [Id(1)]
    public string? Workspace { get; init; }
}
