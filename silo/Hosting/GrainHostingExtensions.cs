using Microsoft.Extensions.Options;
using Orleans.Configuration;
using OrleansTenancy.Ledger;
using OrleansTenancy.Storage;

namespace OrleansTenancy.Silo.Hosting;

/// <summary>Puts the Orleans silo, the product grains and their stores into the host.</summary>
public static class GrainHostingExtensions
{
    /// <summary>
    /// Makes the host an Orleans silo (<see cref="ClusterHostOptions"/>: localhost membership by default) hosting the
    /// product grains, with grain state and the usage ledger in SQLite (<see cref="TenancyHostOptions.SqliteFile"/>)
    /// or PostgreSQL, as <see cref="TenancyHostOptions.Storage"/> says.
    /// </summary>
    /// <exception cref="OptionsValidationException">A <c>Cluster</c> setting is invalid; the message names it.</exception>
    public static WebApplicationBuilder AddTenancyGrains(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = builder.Configuration.GetSection(TenancyHostOptions.SectionName).Get<TenancyHostOptions>() ?? new TenancyHostOptions();

        // Orleans is configured while the host is built, so the cluster settings are checked here, before anything starts.
        var cluster = builder.Configuration.GetSection(ClusterHostOptions.SectionName).Get<ClusterHostOptions>() ?? new ClusterHostOptions();
        var validation = new ClusterHostOptionsValidator().Validate(null, cluster);
        if (validation.Failed)
        {
            throw new OptionsValidationException(ClusterHostOptions.SectionName, typeof(ClusterHostOptions), validation.Failures);
        }

        builder.Services.AddSingleton(Options.Create(cluster));
        var postgres = options.Storage == "postgres" ? options.PostgresConnectionString : null;
        var sqliteFile = Path.GetFullPath(options.SqliteFile);
        builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering(cluster.SiloPort, cluster.GatewayPort, primarySiloEndpoint: null, cluster.ServiceId, cluster.ClusterId);
            silo.Configure<SiloMessagingOptions>(o => o.ResponseTimeout = cluster.ResponseTimeout);
            silo.Configure<GrainCollectionOptions>(o => o.CollectionAge = cluster.CollectionAge);
            silo.AddActivityPropagation();
            if (postgres is { Length: > 0 })
            {
                silo.AddPostgresGrainStorageAsDefault(postgres);
            }
            else
            {
                silo.AddSqliteGrainStorageAsDefault(o => o.DataSource = sqliteFile);
            }
        });

        // The usage ledger lives beside the grain state: in the same SQLite file (one writer, one fsync per batch for
        // both) or in the same PostgreSQL database.
        if (postgres is { Length: > 0 })
        {
            builder.Services.AddPostgresUsageLedger(o => o.ConnectionString = postgres);
        }
        else
        {
            builder.Services.AddSqliteUsageLedger(o => o.DataSource = sqliteFile);
        }

        return builder;
    }
}
