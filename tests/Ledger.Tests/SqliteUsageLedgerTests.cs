namespace OrleansTenancy.Ledger.Tests;

public sealed class SqliteUsageLedgerTests : UsageLedgerContractTests, IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "tenancy-ledger-" + Guid.NewGuid().ToString("N"));
    private readonly SqliteUsageLedger _ledger;

    public SqliteUsageLedgerTests() => _ledger = Open();

    protected override IUsageLedger Ledger => _ledger;

    private SqliteUsageLedger Open() => new(new SqliteLedgerOptions { DataSource = Path.Combine(_folder, "ledger.db") });

    public void Dispose()
    {
        _ledger.Dispose();
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    [Fact]
    public async Task Rows_survive_reopening_the_file_and_stay_idempotent()
    {
        var tenant = NewTenant();
        var at = new DateTimeOffset(2026, 5, 1, 12, 0, 0, TimeSpan.Zero);
        var rows = Enumerable.Range(0, 20).Select(i => Row(tenant, at.AddSeconds(i), cost: 0.01m)).ToList();
        await _ledger.RecordBatchAsync(rows);
        _ledger.Dispose();

        using var reopened = Open();
        Assert.Equal(LedgerInsertResult.AlreadyRecorded, await reopened.RecordAsync(rows[7]));
        var totals = await reopened.GetTotalsAsync(tenant, null, at, at.AddHours(1));
        Assert.Equal(20, totals.Requests);
        Assert.Equal(0.20m, totals.CostUsd);
    }
}
