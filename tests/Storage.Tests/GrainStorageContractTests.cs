using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Orleans.Runtime;
using Orleans.Storage;
using OrleansTenancy.TestSupport;

namespace OrleansTenancy.Storage.Tests;

/// <summary>A state shaped like the tenant grain's: money as decimals, dictionaries of records, instants with offsets.</summary>
public sealed class LedgerLikeState
{
    public decimal Spent { get; set; }

    public long Tokens { get; set; }

    public List<string> Notes { get; set; } = [];

    public Dictionary<string, Hold> Holds { get; set; } = new(StringComparer.Ordinal);

    public Window? Period { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>Like a reservation: a record with required init-only members.</summary>
public sealed record Hold
{
    public required string RequestId { get; init; }

    public decimal EstimatedUsd { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? ExpiresAt { get; init; }
}

/// <summary>Like a period window: a positional record.</summary>
public sealed record Window(int Key, DateTimeOffset Start, DateTimeOffset End);

/// <summary>A grain state holder whose state is never null (Orleans' own <c>GrainState&lt;T&gt;</c> declares it nullable).</summary>
public sealed class TestGrainState<T>(T state) : IGrainState<T>
{
    [AllowNull]
    public T State { get; set; } = state;

    public string? ETag { get; set; }

    public bool RecordExists { get; set; }
}

/// <summary>
/// The compare-and-swap contract every provider keeps, through Orleans' <see cref="IGrainStorage"/>; each provider's test
/// class inherits these facts. <see cref="OtherSilo"/> is a second provider instance on the same store, as another silo
/// (or, for SQLite, another process) would have.
/// </summary>
public abstract class GrainStorageContractTests
{
    protected const string StateName = "budget";

    protected abstract IGrainStorage Storage { get; }

    protected virtual IGrainStorage OtherSilo => Storage;

    protected static GrainId NewGrain(string type = "tenant") => GrainId.Create(type, "tenant-" + Guid.NewGuid().ToString("N"));

    protected static TestGrainState<LedgerLikeState> NewState(LedgerLikeState? state = null) => new(state ?? new LedgerLikeState());

    /// <summary>Whether <paramref name="write"/> succeeded (<see langword="false"/>: refused with <see cref="InconsistentStateException"/>).</summary>
    protected static async Task<bool> Succeeds(Task write)
    {
        try
        {
            await write;
            return true;
        }
        catch (InconsistentStateException)
        {
            return false;
        }
    }

    /// <summary>Lets <paramref name="writers"/> writes (numbered from 1) go at once, behind one gate; returns the numbers of those that succeeded.</summary>
    protected static async Task<List<int>> WinnersAsync(int writers, Func<int, Task> write)
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var attempts = Enumerable.Range(1, writers).Select(async writer =>
        {
            await gate.Task;
            return await Succeeds(write(writer)) ? writer : (int?)null;
        }).ToList();
        gate.SetResult();
        return [.. (await Task.WhenAll(attempts).WaitAsync(TimeSpan.FromSeconds(30))).OfType<int>()];
    }

    protected async Task<TestGrainState<LedgerLikeState>> ReadAsync(IGrainStorage storage, GrainId grain, string stateName = StateName)
    {
        var state = NewState(new LedgerLikeState { Spent = -1m, Notes = ["left over"] });
        await storage.ReadStateAsync(stateName, grain, state);
        return state;
    }

    [StoreFact]
    public async Task Reading_a_missing_record_gives_a_new_state_without_etag()
    {
        var state = await ReadAsync(Storage, NewGrain());

        Assert.Equal(0m, state.State.Spent);
        Assert.Empty(state.State.Notes);
        Assert.Null(state.ETag);
        Assert.False(state.RecordExists);
    }

    [StoreFact]
    public async Task Written_state_reads_back_exactly_decimals_records_dictionaries_and_offsets_included()
    {
        var grain = NewGrain();
        var created = new DateTimeOffset(2026, 3, 29, 1, 59, 59, TimeSpan.FromHours(5.5)).AddTicks(1234567);
        var written = NewState(new LedgerLikeState
        {
            Spent = 79228162514264337593543950.335m,
            Tokens = long.MaxValue,
            Notes = ["a", "ü€ \"quoted\" \u041f"],
            Holds =
            {
                ["req-1"] = new Hold { RequestId = "req-1", EstimatedUsd = 0.000000123450m, CreatedAt = created, ExpiresAt = null },
                ["req-2"] = new Hold { RequestId = "req-2", EstimatedUsd = 12.50m, CreatedAt = created.ToOffset(TimeSpan.FromHours(-7)), ExpiresAt = created.AddMinutes(5) },
            },
            Period = new Window(20260329, created.AddHours(-1), created.AddDays(1)),
            UpdatedAt = created,
        });
        await Storage.WriteStateAsync(StateName, grain, written);

        var read = await ReadAsync(OtherSilo, grain);

        Assert.True(read.RecordExists);
        Assert.Equal(written.ETag, read.ETag);
        var state = read.State;
        Assert.Equal("79228162514264337593543950.335", state.Spent.ToString(CultureInfo.InvariantCulture));
        Assert.Equal(long.MaxValue, state.Tokens);
        Assert.Equal(["a", "ü€ \"quoted\" \u041f"], state.Notes);
        Assert.Equal(["req-1", "req-2"], state.Holds.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("0.000000123450", state.Holds["req-1"].EstimatedUsd.ToString(CultureInfo.InvariantCulture));
        Assert.Equal("12.50", state.Holds["req-2"].EstimatedUsd.ToString(CultureInfo.InvariantCulture));
        Assert.Null(state.Holds["req-1"].ExpiresAt);

        // DateTimeOffset equality ignores the offset: compare the round-trip text, which holds ticks and offset.
        Assert.Equal(created.ToString("O"), state.UpdatedAt.ToString("O"));
        Assert.Equal(written.State.Holds["req-2"].CreatedAt.ToString("O"), state.Holds["req-2"].CreatedAt.ToString("O"));
        Assert.Equal(written.State.Holds["req-2"].ExpiresAt!.Value.ToString("O"), state.Holds["req-2"].ExpiresAt!.Value.ToString("O"));
        Assert.Equal(written.State.Holds["req-1"], state.Holds["req-1"]);
        Assert.Equal(written.State.Period, state.Period);
        Assert.Equal(written.State.Period!.Start.Offset, state.Period!.Start.Offset);
    }

    [StoreFact]
    public async Task Every_write_draws_a_new_etag_even_for_the_same_value()
    {
        var grain = NewGrain();
        var state = NewState(new LedgerLikeState { Spent = 1m });
        await Storage.WriteStateAsync(StateName, grain, state);
        var first = state.ETag;
        await Storage.WriteStateAsync(StateName, grain, state);

        Assert.NotNull(first);
        Assert.NotNull(state.ETag);
        Assert.NotEqual(first, state.ETag);
        Assert.Equal(state.ETag, (await ReadAsync(OtherSilo, grain)).ETag);
    }

    [StoreFact]
    public async Task A_write_with_a_stale_etag_is_refused_and_changes_nothing()
    {
        var grain = NewGrain();
        await Storage.WriteStateAsync(StateName, grain, NewState(new LedgerLikeState { Spent = 1m }));
        var first = await ReadAsync(Storage, grain);
        var second = await ReadAsync(OtherSilo, grain);
        Assert.Equal(first.ETag, second.ETag);

        first.State.Spent += 2m;
        await Storage.WriteStateAsync(StateName, grain, first);
        var secondETag = second.ETag;
        second.State.Spent += 10m;
        var conflict = await Assert.ThrowsAnyAsync<InconsistentStateException>(() => OtherSilo.WriteStateAsync(StateName, grain, second));

        Assert.Contains(grain.Key.ToString()!, conflict.Message, StringComparison.Ordinal);
        Assert.Equal(secondETag, second.ETag);
        var stored = await ReadAsync(Storage, grain);
        Assert.Equal(3m, stored.State.Spent);
        Assert.Equal(first.ETag, stored.ETag);

        // The loser recovers as a re-activated grain does: it reads again, and then its write goes through.
        second = await ReadAsync(OtherSilo, grain);
        second.State.Spent += 10m;
        await OtherSilo.WriteStateAsync(StateName, grain, second);
        Assert.Equal(13m, (await ReadAsync(Storage, grain)).State.Spent);
    }

    [StoreFact]
    public async Task A_first_write_is_refused_when_the_record_exists()
    {
        var grain = NewGrain();
        await Storage.WriteStateAsync(StateName, grain, NewState(new LedgerLikeState { Tokens = 1 }));

        var unaware = NewState(new LedgerLikeState { Tokens = 2 });
        await Assert.ThrowsAnyAsync<InconsistentStateException>(() => OtherSilo.WriteStateAsync(StateName, grain, unaware));

        Assert.Equal(1, (await ReadAsync(Storage, grain)).State.Tokens);
    }

    [StoreFact]
    public async Task Concurrent_first_writes_of_one_grain_exactly_one_succeeds()
    {
        for (var round = 0; round < 5; round++)
        {
            var grain = NewGrain();
            var winners = await WinnersAsync(writers: 8, writer =>
                (writer % 2 == 0 ? Storage : OtherSilo).WriteStateAsync(StateName, grain, NewState(new LedgerLikeState { Tokens = writer })));

            var winner = Assert.Single(winners);
            Assert.Equal(winner, (await ReadAsync(Storage, grain)).State.Tokens);
        }
    }

    [StoreFact]
    public async Task Concurrent_writes_from_one_etag_exactly_one_succeeds()
    {
        var grain = NewGrain();
        var seed = NewState();
        await Storage.WriteStateAsync(StateName, grain, seed);

        var winners = await WinnersAsync(writers: 8, writer =>
            (writer % 2 == 0 ? Storage : OtherSilo).WriteStateAsync(StateName, grain,
                new TestGrainState<LedgerLikeState>(new LedgerLikeState { Tokens = writer }) { ETag = seed.ETag, RecordExists = true }));

        var winner = Assert.Single(winners);
        Assert.Equal(winner, (await ReadAsync(OtherSilo, grain)).State.Tokens);
    }

    [StoreFact]
    public async Task A_cleared_record_reads_as_missing_and_can_be_written_again()
    {
        var grain = NewGrain();
        var owner = NewState(new LedgerLikeState { Spent = 4m });
        await Storage.WriteStateAsync(StateName, grain, owner);
        var written = owner.ETag;

        await Storage.ClearStateAsync(StateName, grain, owner);

        Assert.False(owner.RecordExists);
        Assert.NotEqual(written, owner.ETag);
        Assert.Equal(0m, owner.State.Spent);
        var read = await ReadAsync(OtherSilo, grain);
        Assert.False(read.RecordExists);
        Assert.Equal(0m, read.State.Spent);

        owner.State.Spent = 7m;
        await Storage.WriteStateAsync(StateName, grain, owner);
        Assert.True(owner.RecordExists);
        Assert.Equal(7m, (await ReadAsync(OtherSilo, grain)).State.Spent);
    }

    [StoreFact]
    public async Task An_etag_from_before_a_clear_can_neither_write_nor_clear_even_after_the_record_is_written_again()
    {
        var grain = NewGrain();
        var owner = NewState(new LedgerLikeState { Spent = 4m });
        await Storage.WriteStateAsync(StateName, grain, owner);
        var stale = await ReadAsync(OtherSilo, grain);

        await Storage.ClearStateAsync(StateName, grain, owner);
        await Assert.ThrowsAnyAsync<InconsistentStateException>(() => OtherSilo.WriteStateAsync(StateName, grain, stale));
        await Assert.ThrowsAnyAsync<InconsistentStateException>(() => OtherSilo.ClearStateAsync(StateName, grain, stale));

        // After a fresh write the ETag from before the clear still matches nothing (no A-B-A).
        owner.State.Spent = 7m;
        await Storage.WriteStateAsync(StateName, grain, owner);
        await Assert.ThrowsAnyAsync<InconsistentStateException>(() => OtherSilo.WriteStateAsync(StateName, grain, stale));
        await Assert.ThrowsAnyAsync<InconsistentStateException>(() => OtherSilo.ClearStateAsync(StateName, grain, stale));
        Assert.Equal(7m, (await ReadAsync(Storage, grain)).State.Spent);
    }

    [StoreFact]
    public async Task Clearing_a_record_that_was_never_written_changes_nothing()
    {
        var grain = NewGrain();
        var state = await ReadAsync(Storage, grain);

        await Storage.ClearStateAsync(StateName, grain, state);

        Assert.False(state.RecordExists);
        Assert.False((await ReadAsync(OtherSilo, grain)).RecordExists);
        await OtherSilo.WriteStateAsync(StateName, grain, NewState(new LedgerLikeState { Tokens = 3 }));
        Assert.Equal(3, (await ReadAsync(Storage, grain)).State.Tokens);
    }

    [StoreFact]
    public async Task State_names_and_grain_types_are_separate_records()
    {
        var grain = NewGrain();
        var sameKeyOtherType = GrainId.Create("workspace", grain.Key.ToString()!);
        await Storage.WriteStateAsync("a", grain, NewState(new LedgerLikeState { Tokens = 1 }));
        await Storage.WriteStateAsync("b", grain, NewState(new LedgerLikeState { Tokens = 2 }));
        await Storage.WriteStateAsync("a", sameKeyOtherType, NewState(new LedgerLikeState { Tokens = 3 }));

        Assert.Equal(1, (await ReadAsync(OtherSilo, grain, "a")).State.Tokens);
        Assert.Equal(2, (await ReadAsync(OtherSilo, grain, "b")).State.Tokens);
        Assert.Equal(3, (await ReadAsync(OtherSilo, sameKeyOtherType, "a")).State.Tokens);
    }
}
