using OrleansTenancy.TestSupport;

namespace OrleansTenancy.Ledger.Tests;

[RequiresPostgres]
public sealed class PostgresUsageLedgerTests : UsageLedgerContractTests, IClassFixture<PostgresFixture>, IAsyncLifetime
{
    private readonly PostgresUsageLedger _ledger;

    public PostgresUsageLedgerTests(PostgresFixture database) =>
        _ledger = new PostgresUsageLedger(new PostgresLedgerOptions { ConnectionString = database.ConnectionString });

    protected override IUsageLedger Ledger => _ledger;

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _ledger.DisposeAsync().AsTask();

    [StoreFact]
    public async Task Money_keeps_nine_decimal_places_exactly()
    {
        var tenant = NewTenant();
        var at = new DateTimeOffset(2026, 5, 1, 12, 0, 0, TimeSpan.Zero);
        await _ledger.RecordBatchAsync([.. Enumerable.Range(0, 10).Select(i => Row(tenant, at, cost: 0.1m))]);
        await _ledger.RecordAsync(Row(tenant, at, cost: 0.0000000015m));

        var totals = await _ledger.GetTotalsAsync(tenant, null, at, at.AddSeconds(1));
        Assert.Equal(1.000000002m, totals.CostUsd);
    }
}
