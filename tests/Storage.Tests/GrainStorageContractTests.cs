using System.Diagnostics.Metrics;
using OrleansTenancy.Runtime.Storage;

using OrleansTenancy.TestSupport;

namespace OrleansTenancy.Runtime.Tests.Storage;

public sealed class LedgerLikeState
{
    public decimal Spent { get; set; }

    public long Tokens { get; set; }

    public List<string> Notes { get; set; } = [];
}

/// <summary>The compare-and-swap contract every provider must keep; each provider's test class inherits these facts.</summary>
public abstract class GrainStorageContractTests
{
    protected abstract IGrainStorage Storage { get; }

    protected virtual IGrainStorage CreateSecondInstance() => Storage;

    protected static GrainIdentity NewGrain() => new("TenantGrain", "tenant-" + Guid.NewGuid().ToString("N"));

    [StoreFact]
    public async Task Reading_a_missing_record_gives_a_new_state_without_etag()
    {
        var state = new GrainState<LedgerLikeState>(new LedgerLikeState { Spent = 5m });
        await Storage.ReadStateAsync("budget", NewGrain(), state);

        Assert.Equal(0m, state.State.Spent);
        Assert.Null(state.ETag);
        Assert.False(state.RecordExists);
    }

    [StoreFact]
    public async Task Written_state_reads_back_exactly_including_decimal_scale()
    {
        var grain = NewGrain();
        var written = new GrainState<LedgerLikeState>(new LedgerLikeState
        {
            Spent = 79228162514264337593543950.335m,
            Tokens = long.MaxValue,
            Notes = ["a", "ü€"],
        });
        await Storage.WriteStateAsync("budget", grain, written);
        var small = new GrainState<LedgerLikeState>(new LedgerLikeState { Spent = 0.000000123450m });
        await Storage.WriteStateAsync("other", grain, small);

        var read = new GrainState<LedgerLikeState>(new LedgerLikeState());
        await CreateSecondInstance().ReadStateAsync("budget", grain, read);
        var readSmall = new GrainState<LedgerLikeState>(new LedgerLikeState());
        await CreateSecondInstance().ReadStateAsync("other", grain, readSmall);

        Assert.Equal(79228162514264337593543950.335m, read.State.Spent);
        Assert.Equal(long.MaxValue, read.State.Tokens);
        Assert.Equal(["a", "ü€"], read.State.Notes);
        Assert.Equal(written.ETag, read.ETag);
        Assert.True(read.RecordExists);
        Assert.Equal("0.000000123450", readSmall.State.Spent.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [StoreFact]
    public async Task Two_writers_read_at_the_same_etag_exactly_one_wins_and_its_value_is_kept()
    {
        var grain = NewGrain();
        var seed = new GrainState<LedgerLikeState>(new LedgerLikeState { Spent = 1m });
        await Storage.WriteStateAsync("budget", grain, seed);

        var first = new GrainState<LedgerLikeState>(new LedgerLikeState());
        var second = new GrainState<LedgerLikeState>(new LedgerLikeState());
        await Storage.ReadStateAsync("budget", grain, first);
        await CreateSecondInstance().ReadStateAsync("budget", grain, second);
        Assert.Equal(first.ETag, second.ETag);

        first.State.Spent += 2m;
        await Storage.WriteStateAsync("budget", grain, first);
        second.State.Spent += 10m;
        var conflict = await Assert.ThrowsAsync<InconsistentStateException>(
            () => CreateSecondInstance().WriteStateAsync("budget", grain, second));

        Assert.Equal(first.ETag, conflict.StoredEtag);
        Assert.Equal(seed.ETag, conflict.CurrentEtag);
        Assert.Contains(grain.Key, conflict.Message, StringComparison.Ordinal);
        var stored = new GrainState<LedgerLikeState>(new LedgerLikeState());
        await Storage.ReadStateAsync("budget", grain, stored);
        Assert.Equal(3m, stored.State.Spent);
        Assert.Equal(first.ETag, stored.ETag);

        // The loser recovers by re-reading, as a re-activated grain would, and then its write succeeds.
        await CreateSecondInstance().ReadStateAsync("budget", grain, second);
        second.State.Spent += 10m;
        await CreateSecondInstance().WriteStateAsync("budget", grain, second);
        await Storage.ReadStateAsync("budget", grain, stored);
        Assert.Equal(13m, stored.State.Spent);
    }

    [StoreFact]
    public async Task Concurrent_first_inserts_exactly_one_succeeds()
    {
        const int Writers = 8;
        for (var round = 0; round < 5; round++)
        {
            var grain = NewGrain();
            var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var attempts = Enumerable.Range(1, Writers).Select(async writer =>
            {
                var storage = writer % 2 == 0 ? Storage : CreateSecondInstance();
                var state = new GrainState<LedgerLikeState>(new LedgerLikeState { Tokens = writer });
                await gate.Task;
                try
                {
                    await storage.WriteStateAsync("budget", grain, state);
                    return (long?)writer;
                }
                catch (InconsistentStateException)
                {
                    return null;
                }
            }).ToList();
            gate.SetResult();
            var winners = (await Task.WhenAll(attempts).WaitAsync(TimeSpan.FromSeconds(30))).Where(w => w is not null).ToList();

            var winner = Assert.Single(winners);
            var stored = new GrainState<LedgerLikeState>(new LedgerLikeState());
            await Storage.ReadStateAsync("budget", grain, stored);
            Assert.Equal(winner, stored.State.Tokens);
        }
    }

    [StoreFact]
    public async Task Concurrent_updates_from_one_etag_let_exactly_one_through()
    {
        var grain = NewGrain();
        var seed = new GrainState<LedgerLikeState>(new LedgerLikeState());
        await Storage.WriteStateAsync("budget", grain, seed);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var attempts = Enumerable.Range(1, 8).Select(async writer =>
        {
            var state = new GrainState<LedgerLikeState>(new LedgerLikeState { Tokens = writer }) { ETag = seed.ETag, RecordExists = true };
            await gate.Task;
            try
            {
                await (writer % 2 == 0 ? Storage : CreateSecondInstance()).WriteStateAsync("budget", grain, state);
                return true;
            }
            catch (InconsistentStateException)
            {
                return false;
            }
        }).ToList();
        gate.SetResult();

        var results = await Task.WhenAll(attempts).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Single(results, succeeded => succeeded);
    }

    [StoreFact]
    public async Task Clear_is_conditional_and_a_stale_writer_cannot_resurrect_or_overwrite()
    {
        var grain = NewGrain();
        var owner = new GrainState<LedgerLikeState>(new LedgerLikeState { Spent = 4m });
        await Storage.WriteStateAsync("budget", grain, owner);
        var stale = new GrainState<LedgerLikeState>(new LedgerLikeState());
        await CreateSecondInstance().ReadStateAsync("budget", grain, stale);

        await Storage.ClearStateAsync("budget", grain, owner);
        Assert.Null(owner.ETag);
        Assert.False(owner.RecordExists);
        Assert.Equal(0m, owner.State.Spent);

        await Assert.ThrowsAsync<InconsistentStateException>(() => CreateSecondInstance().WriteStateAsync("budget", grain, stale));
        await Assert.ThrowsAsync<InconsistentStateException>(() => CreateSecondInstance().ClearStateAsync("budget", grain, stale));

        // After a fresh first write, the ETag from before the clear still does not match (no A-B-A).
        owner.State.Spent = 7m;
        await Storage.WriteStateAsync("budget", grain, owner);
        await Assert.ThrowsAsync<InconsistentStateException>(() => CreateSecondInstance().WriteStateAsync("budget", grain, stale));
        var stored = new GrainState<LedgerLikeState>(new LedgerLikeState());
        await Storage.ReadStateAsync("budget", grain, stored);
        Assert.Equal(7m, stored.State.Spent);
    }

    [StoreFact]
    public async Task Clear_without_etag_is_a_no_op_when_missing_and_a_conflict_when_present()
    {
        var grain = NewGrain();
        var state = new GrainState<LedgerLikeState>(new LedgerLikeState());
        await Storage.ClearStateAsync("budget", grain, state);

        await CreateSecondInstance().WriteStateAsync("budget", grain, new GrainState<LedgerLikeState>(new LedgerLikeState { Spent = 1m }));
        await Assert.ThrowsAsync<InconsistentStateException>(() => Storage.ClearStateAsync("budget", grain, state));
    }

    [StoreFact]
    public async Task State_names_and_grain_types_are_separate_records()
    {
        var grain = NewGrain();
        await Storage.WriteStateAsync("a", grain, new GrainState<LedgerLikeState>(new LedgerLikeState { Tokens = 1 }));
        await Storage.WriteStateAsync("b", grain, new GrainState<LedgerLikeState>(new LedgerLikeState { Tokens = 2 }));
        await Storage.WriteStateAsync("a", grain with { Type = "WorkspaceGrain" }, new GrainState<LedgerLikeState>(new LedgerLikeState { Tokens = 3 }));

        var read = new GrainState<LedgerLikeState>(new LedgerLikeState());
        await Storage.ReadStateAsync("b", grain, read);
        Assert.Equal(2, read.State.Tokens);
        await Storage.ReadStateAsync("a", grain, read);
        Assert.Equal(1, read.State.Tokens);
    }

    [StoreFact]
    public async Task Conflicts_and_latency_are_reported_as_grain_storage_metrics()
    {
        var grain = new GrainIdentity("MetricsProbe" + Guid.NewGuid().ToString("N"), "k");
        var conflicts = 0L;
        var writes = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == GrainStorageInstruments.MeterName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            if (instrument.Name == "grain_storage_conflicts_total" && HasGrainType(tags, grain.Type))
            {
                Interlocked.Add(ref conflicts, value);
            }
        });
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) =>
        {
            if (instrument.Name == "grain_storage_write_seconds" && value >= 0 && HasGrainType(tags, grain.Type))
            {
                Interlocked.Increment(ref writes);
            }
        });
        listener.Start();

        var state = new GrainState<LedgerLikeState>(new LedgerLikeState());
        await Storage.WriteStateAsync("budget", grain, state);
        state.ETag = "not-the-stored-etag";
        await Assert.ThrowsAsync<InconsistentStateException>(() => Storage.WriteStateAsync("budget", grain, state));

        Assert.Equal(1, Interlocked.Read(ref conflicts));
        Assert.Equal(2, Volatile.Read(ref writes));
    }

    private static bool HasGrainType(ReadOnlySpan<KeyValuePair<string, object?>> tags, string grainType)
    {
        foreach (var tag in tags)
        {
            if (tag.Key == "grain_type" && (string?)tag.Value == grainType)
            {
                return true;
            }
        }

        return false;
    }
}
