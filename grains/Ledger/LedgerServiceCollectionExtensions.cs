using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace OrleansTenancy.Ledger;

/// <summary>Registers the usage ledger as the single <see cref="IUsageLedger"/> service.</summary>
public static class LedgerServiceCollectionExtensions
{
    /// <summary>Registers a <see cref="SqliteUsageLedger"/> configured through <see cref="SqliteLedgerOptions"/> (bindable options).</summary>
    public static IServiceCollection AddSqliteUsageLedger(this IServiceCollection services, Action<SqliteLedgerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<SqliteLedgerOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.AddSingleton<IUsageLedger>(provider => new SqliteUsageLedger(provider.GetRequiredService<IOptions<SqliteLedgerOptions>>().Value));
        return services;
    }

    /// <summary>Registers a <see cref="PostgresUsageLedger"/>; <see cref="PostgresLedgerOptions.ConnectionString"/> is required.</summary>
    public static IServiceCollection AddPostgresUsageLedger(this IServiceCollection services, Action<PostgresLedgerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<PostgresLedgerOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.AddSingleton<IUsageLedger>(provider => new PostgresUsageLedger(provider.GetRequiredService<IOptions<PostgresLedgerOptions>>().Value));
        return services;
    }
}
