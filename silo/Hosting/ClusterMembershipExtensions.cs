using System.Net;
using Orleans.Configuration;
using OrleansTenancy.Storage;
using StackExchange.Redis;

namespace OrleansTenancy.Silo.Hosting;

/// <summary>Joins the silo to its cluster as <see cref="ClusterHostOptions"/> say: membership, endpoints, failure detection.</summary>
internal static class ClusterMembershipExtensions
{
    /// <summary>
    /// Configures membership (<c>localhost</c>, <c>redis</c> or <c>postgres</c>), the ids, the endpoints and the tuned
    /// failure detection and response timeout.
    /// </summary>
    /// <param name="silo">The silo builder.</param>
    /// <param name="cluster">Validated cluster settings.</param>
    /// <param name="postgresMembership">The connection string of <c>postgres</c> membership (its own or the storage's).</param>
    public static ISiloBuilder UseTenancyCluster(this ISiloBuilder silo, ClusterHostOptions cluster, string? postgresMembership)
    {
        switch (cluster.Membership)
        {
            case ClusterHostOptions.RedisMembership:
                var redis = ConfigurationOptions.Parse(cluster.RedisConnectionString!);
                silo.UseRedisClustering(o => o.ConfigurationOptions = redis);
                UseSharedMembershipEndpoints(silo, cluster);
                break;
            case ClusterHostOptions.PostgresMembership:
                silo.UseAdoNetClustering(o =>
                {
                    o.Invariant = GrainStorageSiloBuilderExtensions.NpgsqlInvariant;
                    o.ConnectionString = postgresMembership;
                });
                silo.AddPostgresScriptsAtStart("Cluster membership", postgresMembership!);
                UseSharedMembershipEndpoints(silo, cluster);
                break;
            default:
                silo.UseLocalhostClustering(cluster.SiloPort, cluster.GatewayPort, primarySiloEndpoint: null, cluster.ServiceId, cluster.ClusterId);
                break;
        }

        silo.Configure<ClusterMembershipOptions>(o =>
        {
            o.ProbeTimeout = cluster.ProbeTimeout;
            o.NumMissedProbesLimit = cluster.MissedProbesLimit;
            o.NumVotesForDeathDeclaration = cluster.DeathVotes;
            o.DeathVoteExpirationTimeout = cluster.DeathVoteExpiration;
            o.IAmAliveTablePublishTimeout = cluster.IAmAlivePeriod;
            o.TableRefreshTimeout = cluster.TableRefreshPeriod;
        });
        silo.Configure<SiloMessagingOptions>(o => o.ResponseTimeout = cluster.EffectiveResponseTimeout);
        return silo;
    }

    private static void UseSharedMembershipEndpoints(ISiloBuilder silo, ClusterHostOptions cluster)
    {
        silo.Configure<ClusterOptions>(o =>
        {
            o.ClusterId = cluster.ClusterId;
            o.ServiceId = cluster.ServiceId;
        });
        if (cluster.AdvertisedAddress is null)
        {
            // Orleans' own choice: the host's first IPv4 address that is not loopback, else loopback.
            silo.ConfigureEndpoints(cluster.SiloPort, cluster.GatewayPort, listenOnAnyHostAddress: cluster.ListenOnAnyAddress);
        }
        else if (IPAddress.TryParse(cluster.AdvertisedAddress, out var address))
        {
            silo.ConfigureEndpoints(address, cluster.SiloPort, cluster.GatewayPort, cluster.ListenOnAnyAddress);
        }
        else
        {
            silo.ConfigureEndpoints(cluster.AdvertisedAddress, cluster.SiloPort, cluster.GatewayPort, listenOnAnyHostAddress: cluster.ListenOnAnyAddress);
        }
    }
}
