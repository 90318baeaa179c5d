using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansTenancy.GrainInterfaces;

namespace OrleansTenancy.Client;

/// <summary>
/// The entry point of a .NET service into the OrleansTenancy cluster: every call runs on behalf of a tenant
/// (<see cref="Tenant"/>) or one of its workspaces (<see cref="Workspace(string, string)"/>). Added by
/// <c>AddOrleansTenancyClient</c>; thread-safe, one per service.
/// </summary>
/// <example>
/// <code>
/// var staff = tenancy.Workspace("acme", "staff");
/// ChatResult answer = await staff.ChatAsync("Summarise the meeting notes");
/// BudgetStatus budget = await tenancy.Tenant("acme").GetBudgetStatusAsync();
/// </code>
/// </example>
public sealed class TenancyClient
{
    /// <summary>Creates the client over Orleans' cluster client (dependency injection does this).</summary>
    public TenancyClient(IClusterClient cluster, IOptions<TenancyClientOptions> options, TimeProvider time, ILogger<TenancyClient> logger)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        ArgumentNullException.ThrowIfNull(options);
        Cluster = cluster;
        Options = options.Value;
        Calls = new IdempotentCalls(options.Value, time, logger);
        Directory = new TenantDirectoryClient(this);
    }

    /// <summary>Tenants registered at run time: register, ensure, update, remove, get and list them.</summary>
    public TenantDirectoryClient Directory { get; }

    /// <summary>Orleans' client underneath, for grains this library does not wrap.</summary>
    public IClusterClient Cluster { get; }

    internal IdempotentCalls Calls { get; }

    internal TenancyClientOptions Options { get; }

    /// <summary>Calls on behalf of <paramref name="tenant"/> (its slug). Nothing is sent until a call is made.</summary>
    /// <exception cref="ArgumentException"><paramref name="tenant"/> is empty.</exception>
    public TenantClient Tenant(string tenant)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(tenant);
        return new TenantClient(this, tenant);
    }

    /// <summary>Calls on behalf of one workspace of a tenant.</summary>
    /// <exception cref="ArgumentException">An id is empty.</exception>
    public WorkspaceClient Workspace(string tenant, string workspace) => Tenant(tenant).Workspace(workspace);

    /// <summary>Calls on behalf of <paramref name="context"/>'s tenant and workspace.</summary>
    /// <exception cref="ArgumentException">A part of the context is empty.</exception>
    public WorkspaceClient Workspace(TenantContext context) => Workspace(context.Tenant, context.Workspace);
}
