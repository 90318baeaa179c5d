using Microsoft.Extensions.Options;
using Orleans.Configuration;
using OrleansTenancy.Grains.Tenants.Directory;
using OrleansTenancy.Ledger;
using OrleansTenancy.Storage;

namespace OrleansTenancy.Silo.Hosting;

/// <summary>Puts the Orleans silo, the product grains and their stores into the host.</summary>
public static class GrainHostingExtensions
{
    /// <summary>
    /// Makes the host an Orleans silo (<see cref="ClusterHostOptions"/>: localhost membership by default, or a member of a
    /// cluster on Redis or PostgreSQL) hosting the product grains, with grain state and the usage ledger in SQLite
    /// (<see cref="TenancyHostOptions.SqliteFile"/>) or PostgreSQL, as <see cref="TenancyHostOptions.Storage"/> says.
    /// </summary>
    /// <exception cref="OptionsValidationException">
    /// A <c>Cluster</c> setting is invalid, or the membership needs storage the silo is not given; the message names the setting.
    /// </exception>
    public static WebApplicationBuilder AddTenancyGrains(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = builder.Configuration.GetSection(TenancyHostOptions.SectionName).Get<TenancyHostOptions>() ?? new TenancyHostOptions();

        // Orleans is configured while the host is built, so the cluster settings are checked here, before anything starts,
        // together with what membership and storage require of each other.
        var cluster = builder.Configuration.GetSection(ClusterHostOptions.SectionName).Get<ClusterHostOptions>() ?? new ClusterHostOptions();
        var validation = new ClusterHostOptionsValidator(options).Validate(null, cluster);
        if (validation.Failed)
        {
            throw new OptionsValidationException(ClusterHostOptions.SectionName, typeof(ClusterHostOptions), validation.Failures);
        }

        var postgresMembership = ClusterHostOptionsValidator.EffectivePostgresConnectionString(cluster, options);
        builder.Services.AddSingleton(Options.Create(cluster));
        var postgres = options.Storage == "postgres" ? options.PostgresConnectionString : null;
        var sqliteFile = Path.GetFullPath(options.SqliteFile);
        builder.UseOrleans(silo =>
        {
            silo.UseTenancyCluster(cluster, postgresMembership);
            silo.Configure<GrainCollectionOptions>(o => o.CollectionAge = cluster.CollectionAge);
            silo.AddActivityPropagation();
            if (cluster.Kubernetes)
            {
                silo.UseKubernetesHosting();
            }

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

        // Runtime tenants join the tenants of the folder in the registry every service reads.
        builder.Services.AddTenantDirectory();
        builder.Services.AddOptions<TenantDirectoryOptions>().BindConfiguration(TenantDirectoryOptions.SectionName);
        return builder;
    }
}
