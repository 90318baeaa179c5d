using OrleansTenancy.TestSupport;

namespace OrleansTenancy.Ledger.Tests;

/// <summary>What every ledger store must do; each store's test class inherits these facts.</summary>
public abstract class UsageLedgerContractTests
{
    protected static readonly TimeZoneInfo NewYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");

    protected abstract IUsageLedger Ledger { get; }

    protected static string NewTenant() => "t-" + Guid.NewGuid().ToString("N")[..12];

    protected static UsageRecord Row(string tenant, DateTimeOffset createdAt, decimal cost = 0.25m, string workspace = "main", string model = "openai/gpt-4o-mini",
        string status = UsageStatus.Ok, string? requestId = null, bool cached = false) => new()
    {
        RequestId = requestId ?? Guid.NewGuid().ToString("N"),
        Tenant = tenant,
        Workspace = workspace,
        Agent = "planner",
        Task = "summarize",
        Model = model,
        Provider = "OpenAI",
        TokensIn = 100,
        TokensOut = 20,
        CostUsd = cost,
        EstimatedCostUsd = cost * 2,
        LatencyMs = 850,
        Status = status,
        Cached = cached,
        CreatedAt = createdAt,
    };

    private static readonly DateTimeOffset Noon = new(2026, 11, 20, 17, 0, 0, TimeSpan.Zero);

    [StoreFact]
    public async Task A_retried_record_is_already_recorded_and_counted_once()
    {
        var tenant = NewTenant();
        var row = Row(tenant, Noon, cost: 0.123456789m);

        Assert.Equal(LedgerInsertResult.Recorded, await Ledger.RecordAsync(row));
        Assert.Equal(LedgerInsertResult.AlreadyRecorded, await Ledger.RecordAsync(row with { CostUsd = 99m }));

        var totals = await Ledger.GetTotalsAsync(tenant, null, Noon.AddHours(-1), Noon.AddHours(1));
        Assert.Equal(1, totals.Requests);
        Assert.Equal(0.123456789m, totals.CostUsd);
    }

    [StoreFact]
    public async Task Concurrent_retries_of_one_request_record_exactly_one_row()
    {
        var tenant = NewTenant();
        var row = Row(tenant, Noon);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var attempts = Enumerable.Range(0, 8).Select(async _ =>
        {
            await gate.Task;
            return await Ledger.RecordAsync(row);
        }).ToList();
        gate.SetResult();

        var results = await Task.WhenAll(attempts).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Single(results, r => r == LedgerInsertResult.Recorded);
        Assert.Equal(1, (await Ledger.GetTotalsAsync(tenant, null, Noon, Noon.AddTicks(10))).Requests);
    }

    [StoreFact]
    public async Task A_batch_reports_each_row_and_skips_known_and_repeated_ids()
    {
        var tenant = NewTenant();
        var known = Row(tenant, Noon);
        await Ledger.RecordAsync(known);
        var fresh = Row(tenant, Noon.AddMinutes(1));
        var batch = new[] { fresh, known, fresh with { CostUsd = 5m }, Row(tenant, Noon.AddMinutes(2)) };

        var results = await Ledger.RecordBatchAsync(batch);

        Assert.Equal([LedgerInsertResult.Recorded, LedgerInsertResult.AlreadyRecorded, LedgerInsertResult.AlreadyRecorded, LedgerInsertResult.Recorded], results);
        var totals = await Ledger.GetTotalsAsync(tenant, null, Noon, Noon.AddHours(1));
        Assert.Equal(3, totals.Requests);
        Assert.Equal(0.75m, totals.CostUsd);
    }

    [StoreFact]
    public async Task Concurrent_batches_of_many_tenants_each_get_their_own_results()
    {
        // Batches that arrive together may be written together; each caller must still see its own rows' outcome.
        var tenants = Enumerable.Range(0, 24).Select(_ => NewTenant()).ToArray();
        var shared = Row(tenants[0], Noon);
        var batches = tenants.Select((tenant, i) => i == 0
            ? new[] { shared, Row(tenant, Noon.AddMinutes(1)) }
            : new[] { Row(tenant, Noon), Row(tenant, Noon.AddMinutes(1)), Row(tenant, Noon.AddMinutes(2)) }).ToList();
        batches.Add([shared]); // the same row sent again by another caller

        var results = await Task.WhenAll(batches.Select(b => Ledger.RecordBatchAsync(b)));

        Assert.Equal(1, results[0].Concat(results[^1]).Count(r => r == LedgerInsertResult.AlreadyRecorded));
        Assert.All(results.Skip(1).SkipLast(1), r => Assert.Equal([LedgerInsertResult.Recorded, LedgerInsertResult.Recorded, LedgerInsertResult.Recorded], r));
        Assert.Equal(2, (await Ledger.GetTotalsAsync(tenants[0], null, Noon, Noon.AddHours(1))).Requests);
        Assert.Equal(3, (await Ledger.GetTotalsAsync(tenants[^1], null, Noon, Noon.AddHours(1))).Requests);
    }

    [StoreFact]
    public async Task Totals_cover_a_half_open_range_per_workspace_and_count_denied_rows_as_requests_only()
    {
        var tenant = NewTenant();
        var from = Noon;
        var to = Noon.AddHours(1);
        await Ledger.RecordBatchAsync([
            Row(tenant, from, cost: 0.1m),
            Row(tenant, from.AddMinutes(30), cost: 0.2m, workspace: "research", cached: true),
            Row(tenant, from.AddMinutes(40), cost: 0m, status: UsageStatus.Denied),
            Row(tenant, to.AddTicks(-10), cost: 0.000000001m),
            Row(tenant, to, cost: 7m),
            Row(tenant, from.AddTicks(-10), cost: 11m),
            Row(NewTenant(), from, cost: 13m),
        ]);

        var all = await Ledger.GetTotalsAsync(tenant, null, from, to);
        var research = await Ledger.GetTotalsAsync(tenant, "research", from, to);

        Assert.Equal(new UsageTotals(4, 3, 400, 80, 0.300000001m, 0.600000002m, 1), all);
        Assert.Equal(new UsageTotals(1, 1, 100, 20, 0.2m, 0.4m, 1), research);
        Assert.Equal(UsageTotals.Zero, await Ledger.GetTotalsAsync(tenant, "nobody", from, to));
    }

    [StoreFact]
    public async Task A_monthly_report_buckets_days_in_the_tenant_zone_across_the_autumn_change()
    {
        var tenant = NewTenant();
        await Ledger.RecordBatchAsync([
            // 31 Oct 23:59 local (EDT): previous month.
            Row(tenant, new DateTimeOffset(2026, 11, 1, 3, 59, 0, TimeSpan.Zero), cost: 100m),
            // 1 Nov 00:00 local (EDT): first instant of the month.
            Row(tenant, new DateTimeOffset(2026, 11, 1, 4, 0, 0, TimeSpan.Zero), cost: 1m, model: "a/cheap"),
            // 1 Nov 23:30 local (EST, the 25-hour day): still 1 Nov although 2 Nov in UTC.
            Row(tenant, new DateTimeOffset(2026, 11, 2, 4, 30, 0, TimeSpan.Zero), cost: 2m, model: "b/dear", workspace: "research"),
            Row(tenant, new DateTimeOffset(2026, 11, 2, 5, 0, 0, TimeSpan.Zero), cost: 4m, model: "b/dear", workspace: "research"),
            // 30 Nov 23:59 local: last minute of the month; 1 Dec local is outside.
            Row(tenant, new DateTimeOffset(2026, 12, 1, 4, 59, 0, TimeSpan.Zero), cost: 8m, model: "a/cheap"),
            Row(tenant, new DateTimeOffset(2026, 12, 1, 5, 0, 0, TimeSpan.Zero), cost: 100m),
        ]);

        // 30 Nov 23:59:30 local: the month's last half minute, so every day of it is in the window.
        var report = await Ledger.GetUsageAsync(tenant, UsagePeriod.ThisMonth, NewYork, new DateTimeOffset(2026, 12, 1, 4, 59, 30, TimeSpan.Zero));

        Assert.Equal(new DateOnly(2026, 11, 1), report.Window.FirstDate);
        Assert.Equal(new DateOnly(2026, 11, 30), report.Window.LastDate);
        Assert.Equal(15m, report.Totals.CostUsd);
        Assert.Equal(4, report.Totals.Requests);
        Assert.Equal(["a/cheap", "b/dear"], report.ByModel.Select(m => m.Key));
        Assert.Equal([9m, 6m], report.ByModel.Select(m => m.Totals.CostUsd));
        Assert.Equal(["main", "research"], report.ByWorkspace.Select(w => w.Key));
        Assert.Equal(30, report.ByDay.Count);
        Assert.Equal(3m, report.ByDay[0].Totals.CostUsd);
        Assert.Equal(4m, report.ByDay[1].Totals.CostUsd);
        Assert.Equal(8m, report.ByDay[29].Totals.CostUsd);
        Assert.Equal(report.Totals.CostUsd, report.ByDay.Sum(d => d.Totals.CostUsd));
        Assert.Equal(UsageTotals.Zero, report.ByDay[10].Totals);
    }

    [StoreFact]
    public async Task Executions_page_newest_first_without_gaps_or_repeats_while_rows_arrive()
    {
        var tenant = NewTenant();
        // Pairs of rows share a timestamp, so the request id must break ties for paging to be exact.
        var rows = Enumerable.Range(0, 25).Select(i => Row(tenant, Noon.AddSeconds(i / 2), requestId: $"req-{i:D2}")).ToList();
        await Ledger.RecordBatchAsync(rows);

        var seen = new List<string>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await Ledger.ListExecutionsAsync(tenant, 10, cursor);
            seen.AddRange(page.Items.Select(r => r.RequestId));
            cursor = page.NextCursor;
            pages++;
            if (pages == 1)
            {
                // A newer row arriving mid-listing must not shift the pages already being walked.
                await Ledger.RecordAsync(Row(tenant, Noon.AddHours(1), requestId: "req-late"));
            }
        }
        while (cursor is not null);

        Assert.Equal(3, pages);
        Assert.Equal(rows.Select(r => r.RequestId).OrderByDescending(id => id, StringComparer.Ordinal), seen);
        var first = (await Ledger.ListExecutionsAsync(tenant, 1, null)).Items[0];
        Assert.Equal("req-late", first.RequestId);
        Assert.Equal(Row(tenant, Noon.AddHours(1), requestId: "req-late") with { CreatedAt = first.CreatedAt }, first);
        Assert.Equal(Noon.AddHours(1), first.CreatedAt);
    }

    [StoreFact]
    public async Task Paging_filters_by_workspace_caps_the_page_size_and_rejects_foreign_cursors()
    {
        var tenant = NewTenant();
        await Ledger.RecordBatchAsync([.. Enumerable.Range(0, 205).Select(i => Row(tenant, Noon.AddMilliseconds(i), workspace: i < 3 ? "research" : "main"))]);

        var capped = await Ledger.ListExecutionsAsync(tenant, 1000, null);
        var research = await Ledger.ListExecutionsAsync(tenant, 50, null, workspace: "research");

        Assert.Equal(IUsageLedger.MaxPageSize, capped.Items.Count);
        Assert.NotNull(capped.NextCursor);
        Assert.Equal(3, research.Items.Count);
        Assert.Null(research.NextCursor);
        Assert.Throws<ArgumentException>(() => { _ = Ledger.ListExecutionsAsync(tenant, 10, "not-a-cursor"); });
        Assert.Throws<ArgumentOutOfRangeException>(() => { _ = Ledger.ListExecutionsAsync(tenant, 0, null); });
    }

    [StoreFact]
    public async Task A_large_batch_is_stored_whole_and_a_replay_of_it_changes_nothing()
    {
        var tenant = NewTenant();
        var rows = Enumerable.Range(0, 1000).Select(i => Row(tenant, Noon.AddMilliseconds(i), cost: 0.001m, workspace: $"w{i % 4}")).ToList();

        var first = await Ledger.RecordBatchAsync(rows);
        var replay = await Ledger.RecordBatchAsync(rows);

        Assert.All(first, r => Assert.Equal(LedgerInsertResult.Recorded, r));
        Assert.All(replay, r => Assert.Equal(LedgerInsertResult.AlreadyRecorded, r));
        var totals = await Ledger.GetTotalsAsync(tenant, null, Noon, Noon.AddMinutes(1));
        Assert.Equal(1000, totals.Requests);
        Assert.Equal(1m, totals.CostUsd);
        Assert.Equal(250, (await Ledger.GetTotalsAsync(tenant, "w2", Noon, Noon.AddMinutes(1))).Executions);
    }

    [StoreFact]
    public async Task Request_ids_are_unique_per_tenant_so_one_tenant_cannot_hide_another_tenants_rows()
    {
        var first = NewTenant();
        var second = NewTenant();
        var row = Row(first, Noon);

        Assert.Equal(LedgerInsertResult.Recorded, await Ledger.RecordAsync(row));
        Assert.Equal(LedgerInsertResult.Recorded, await Ledger.RecordAsync(row with { Tenant = second }));
        Assert.Equal(LedgerInsertResult.AlreadyRecorded, await Ledger.RecordAsync(row with { Tenant = second }));
        Assert.True(await Ledger.IsSettledAsync(first, row.RequestId));
        Assert.False(await Ledger.IsSettledAsync(NewTenant(), row.RequestId));
        Assert.Equal(1, (await Ledger.GetTotalsAsync(second, null, Noon, Noon.AddMinutes(1))).Requests);
    }

    [StoreFact]
    public async Task Executions_count_settled_rows_only_as_the_tenant_grain_does()
    {
        var tenant = NewTenant();
        string[] statuses = [UsageStatus.Ok, UsageStatus.Cancelled, UsageStatus.Incomplete, UsageStatus.Error, UsageStatus.Denied, UsageStatus.Forbidden, UsageStatus.RateLimited];
        await Ledger.RecordBatchAsync([.. statuses.Select((status, i) => Row(tenant, Noon.AddSeconds(i)) with { Status = status })]);

        var totals = await Ledger.GetTotalsAsync(tenant, null, Noon, Noon.AddMinutes(1));

        Assert.Equal(7, totals.Requests);
        Assert.Equal(3, totals.Executions);
    }

    [StoreFact]
    public async Task A_charged_row_replaces_an_uncharged_row_of_the_same_request_and_never_the_reverse()
    {
        var tenant = NewTenant();
        var id = Guid.NewGuid().ToString("N");
        var released = Row(tenant, Noon, cost: 0m, status: UsageStatus.Error, requestId: id);
        var settled = Row(tenant, Noon.AddSeconds(5), cost: 0.5m, status: UsageStatus.Ok, requestId: id, model: "openai/gpt-4o");

        Assert.Equal(LedgerInsertResult.Recorded, await Ledger.RecordAsync(released));
        Assert.False(await Ledger.IsSettledAsync(tenant, id));
        Assert.Equal(LedgerInsertResult.Recorded, await Ledger.RecordAsync(settled));
        Assert.True(await Ledger.IsSettledAsync(tenant, id));
        Assert.Equal(LedgerInsertResult.AlreadyRecorded, await Ledger.RecordAsync(released));
        Assert.Equal(LedgerInsertResult.AlreadyRecorded, await Ledger.RecordAsync(settled with { CostUsd = 9m }));

        var row = Assert.Single((await Ledger.ListExecutionsAsync(tenant, 10, null)).Items);
        Assert.Equal(("openai/gpt-4o", UsageStatus.Ok, 0.5m), (row.Model, row.Status, row.CostUsd));
        var totals = await Ledger.GetTotalsAsync(tenant, null, Noon, Noon.AddMinutes(1));
        Assert.Equal((1L, 1L, 0.5m), (totals.Requests, totals.Executions, totals.CostUsd));
    }

    [StoreFact]
    public async Task In_one_batch_the_charged_row_of_a_request_wins_over_its_uncharged_row()
    {
        var tenant = NewTenant();
        var id = Guid.NewGuid().ToString("N");

        var results = await Ledger.RecordBatchAsync(
        [
            Row(tenant, Noon, cost: 0m, status: UsageStatus.Error, requestId: id),
            Row(tenant, Noon.AddSeconds(1), cost: 0.25m, status: UsageStatus.Ok, requestId: id),
            Row(tenant, Noon.AddSeconds(2), cost: 0m, status: UsageStatus.Error, requestId: id),
        ]);

        Assert.Equal([LedgerInsertResult.Recorded, LedgerInsertResult.Recorded, LedgerInsertResult.AlreadyRecorded], results);
        var row = Assert.Single((await Ledger.ListExecutionsAsync(tenant, 10, null)).Items);
        Assert.Equal((UsageStatus.Ok, 0.25m), (row.Status, row.CostUsd));
    }

    [StoreFact]
    public async Task A_refusal_keeps_its_reason_and_a_row_without_one_reads_back_without()
    {
        var tenant = NewTenant();
        var refused = Row(tenant, Noon, cost: 0m) with { Status = UsageStatus.Denied, Reason = "daily_cap_usd" };
        var served = Row(tenant, Noon.AddSeconds(1));
        await Ledger.RecordBatchAsync([refused, served]);

        var page = await Ledger.ListExecutionsAsync(tenant, 10, null);

        Assert.Equal([served, refused], page.Items);
    }

    [StoreFact]
    public async Task Rows_of_a_batch_read_back_exactly_with_and_without_their_optional_fields()
    {
        // A batch goes to the store column by column: every value, the missing ones too, must land on its own row.
        var tenant = NewTenant();
        var full = Row(tenant, Noon.AddTicks(1_234_560), cost: 0.123456789m, cached: true) with { Reason = "note", TokensIn = 7, TokensOut = 9, LatencyMs = 12 };
        var bare = Row(tenant, Noon, cost: 1m, workspace: "research", model: "b/other", status: UsageStatus.Error) with
        {
            Agent = null, Task = null, Provider = null, EstimatedCostUsd = 0.000000001m,
        };

        await Ledger.RecordBatchAsync([bare, full]);

        Assert.Equal([full, bare], (await Ledger.ListExecutionsAsync(tenant, 10, null)).Items);
    }

    [StoreFact]
    public async Task An_invalid_record_is_refused_naming_the_field()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => Ledger.RecordAsync(Row(NewTenant(), Noon) with { TokensOut = -1 }));
        Assert.Contains("TokensOut", error.Message, StringComparison.Ordinal);
    }
}
