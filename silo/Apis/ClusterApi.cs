using OrleansTenancy.Silo.Cluster;

namespace OrleansTenancy.Silo.Apis;

/// <summary>The cluster's silos, for operators.</summary>
public static class ClusterApi
{
    /// <summary>Maps <c>GET /cluster</c> on the admin group (so <c>GET /admin/cluster</c>, behind the admin rule).</summary>
    public static RouteGroupBuilder MapClusterApi(this RouteGroupBuilder admin)
    {
        ArgumentNullException.ThrowIfNull(admin);
        admin.MapGet("/cluster", GetClusterAsync)
            .WithName("GetCluster")
            .WithSummary("Every silo (address, status, uptime, activations, tenant registry hash, version) and whether their tenants differ.");
        return admin;
    }

    /// <summary>Lists the cluster.</summary>
    public static Task<ClusterReport> GetClusterAsync(IClusterView cluster, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        return cluster.GetClusterAsync(cancellationToken);
    }
}
