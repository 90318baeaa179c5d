using Microsoft.Extensions.DependencyInjection;

namespace OrleansTenancy.Ledger.Tests;

public sealed class LedgerRegistrationTests
{
    [Fact]
    public async Task The_sqlite_ledger_is_the_single_ledger_service_with_its_configured_file()
    {
        var file = Path.Combine(Path.GetTempPath(), "tenancy-ledger-di-" + Guid.NewGuid().ToString("N"), "ledger.db");
        await using var provider = new ServiceCollection().AddSqliteUsageLedger(o => o.DataSource = file).BuildServiceProvider();

        var ledger = Assert.IsType<SqliteUsageLedger>(provider.GetRequiredService<IUsageLedger>());

        Assert.Equal(file, ledger.FilePath);
        Assert.Same(ledger, provider.GetRequiredService<IUsageLedger>());
    }

    [Fact]
    public async Task A_postgres_ledger_without_connection_string_fails_naming_the_setting()
    {
        await using var provider = new ServiceCollection().AddPostgresUsageLedger().BuildServiceProvider();

        var error = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<IUsageLedger>());
        Assert.Contains("PostgresLedgerOptions.ConnectionString", error.Message, StringComparison.Ordinal);
    }
}
