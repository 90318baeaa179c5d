using Microsoft.Extensions.Options;
using OrleansTenancy.Grains.Tenants;
using OrleansTenancy.Ledger;
using OrleansTenancy.Runtime.Hosting;
using OrleansTenancy.Runtime.Storage;

namespace OrleansTenancy.Silo.Hosting;

/// <summary>Puts the grain runtime, the product grains and their stores into the silo host.</summary>
public static class GrainHostingExtensions
{
    /// <summary>The storage provider name grains use by default.</summary>
    public const string DefaultStorage = "Default";

    /// <summary>
    /// Adds a single silo (in-memory membership) hosting the product grains, with grain state and the usage ledger in
    /// SQLite (<see cref="TenancyHostOptions.SqliteFile"/>) or PostgreSQL, as <see cref="TenancyHostOptions.Storage"/> says.
    /// </summary>
    public static WebApplicationBuilder AddTenancyGrains(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = builder.Configuration.GetSection(TenancyHostOptions.SectionName).Get<TenancyHostOptions>() ?? new TenancyHostOptions();
        builder.Services.AddGrainRuntime(o => builder.Configuration.GetSection("GrainRuntime").Bind(o))
            .AddGrains(typeof(TenantGrain).Assembly);

        if (options.Storage == "postgres" && options.PostgresConnectionString is { Length: > 0 } connectionString)
        {
            builder.Services.AddPostgresGrainStorage(DefaultStorage, o => o.ConnectionString = connectionString);
            builder.Services.AddPostgresUsageLedger(o => o.ConnectionString = connectionString);
        }
        else
        {
            var file = Path.GetFullPath(options.SqliteFile);
            builder.Services.AddSqliteGrainStorage(DefaultStorage, o => o.DataSource = file);
            builder.Services.AddSqliteUsageLedger(o => o.DataSource = file);
        }

        return builder;
    }
}
