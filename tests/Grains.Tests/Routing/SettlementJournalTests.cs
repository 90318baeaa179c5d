using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using OrleansTenancy.GrainInterfaces;
using OrleansTenancy.Grains.Routing;
using static OrleansTenancy.Grains.Tests.Routing.SettlementSamples;

namespace OrleansTenancy.Grains.Tests.Routing;

public sealed class SettlementJournalTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "settlement-journal-" + Guid.NewGuid().ToString("N"));
    private readonly List<SettlementJournal> _journals = [];

    public void Dispose()
    {
        foreach (var journal in _journals)
        {
            journal.Dispose();
        }

        Directory.Delete(_folder, recursive: true);
    }

    // A new journal on the folder, as a silo that starts again (the earlier one may have died without a word).
    private SettlementJournal Open(FlushGate? disk = null)
    {
        var journal = disk is null
            ? new SettlementJournal(_folder, NullLoggerFactory.Instance)
            : new SettlementJournal(_folder, NullLoggerFactory.Instance, disk.Flush);
        _journals.Add(journal);
        return journal;
    }

    private string[] SegmentFiles() => [.. Directory.EnumerateFiles(_folder, "journal-*.log").Order()];

    [Fact]
    public async Task Settlements_saved_by_concurrent_calls_are_all_there_in_order_for_the_silo_that_starts_after_a_crash()
    {
        var journal = Open();
        await journal.LoadAsync();

        await Task.WhenAll(Enumerable.Range(0, 200).Select(i => journal.SaveAsync(Settlement($"r{i:D3}")))).WaitAsync(Patience);

        var loaded = await Open().LoadAsync();
        Assert.Equal(Enumerable.Range(0, 200).Select(i => $"r{i:D3}"), loaded.Select(s => s.Settlement.RequestId).Order());
        Assert.Equal(Settlement("r007").Settlement, loaded.Single(s => s.Settlement.RequestId == "r007").Settlement);
        Assert.Equal(Settlement("r007").Details, loaded.Single(s => s.Settlement.RequestId == "r007").Details);
    }

    [Fact]
    public async Task A_save_completes_only_once_a_flush_of_its_line_has_returned_whether_its_caller_flushes_or_the_writer_does()
    {
        using var disk = new FlushGate();
        var journal = Open(disk);
        await journal.LoadAsync();
        await journal.SaveAsync(Settlement("r0")); // the segment exists: from here each flush is one write's

        // No write under way: the caller writes and flushes r1 itself, on its own thread, and is held in the flush.
        disk.Hold();
        var first = Task.Run(() => journal.SaveAsync(Settlement("r1")));
        await disk.Entered.WaitAsync(Patience);

        // A write is under way: r2 and r3 are queued for the next one, which the journal's writer does.
        var second = journal.SaveAsync(Settlement("r2"));
        var third = journal.SaveAsync(Settlement("r3"));
        var durableAt = new[] { first, second, third }.Select(t => t.ContinueWith(_ => disk.LinesFlushed, TaskContinuationOptions.ExecuteSynchronously)).ToList();
        Assert.False(first.IsCompleted);
        Assert.False(second.IsCompleted || third.IsCompleted);

        disk.Release();
        var flushed = await Task.WhenAll(durableAt).WaitAsync(Patience);

        // Each task completed after a flush that covered its line had returned (r1 is line 2, r3 line 4).
        Assert.True(flushed[0] >= 2, $"r1 completed with {flushed[0]} lines flushed");
        Assert.True(flushed[1] >= 3 && flushed[2] >= 4, $"r2, r3 completed with {flushed[1]}, {flushed[2]} lines flushed");
        Assert.Equal(["r0", "r1", "r2", "r3"], (await Open().LoadAsync()).Select(s => s.Settlement.RequestId));
    }

    [Fact]
    public async Task Saves_queued_when_the_journal_closes_fail_instead_of_waiting_forever()
    {
        using var disk = new FlushGate();
        var journal = Open(disk);
        await journal.LoadAsync();
        await journal.SaveAsync(Settlement("r0"));

        disk.Hold();
        var first = Task.Run(() => journal.SaveAsync(Settlement("r1")));
        await disk.Entered.WaitAsync(Patience);
        var queued = journal.SaveAsync(Settlement("r2"));
        journal.Dispose();
        disk.Release();

        await Assert.ThrowsAnyAsync<IOException>(() => queued.WaitAsync(Patience));
        await Assert.ThrowsAnyAsync<IOException>(() => journal.SaveAsync(Settlement("r3")));
        await Assert.ThrowsAnyAsync<IOException>(() => first.WaitAsync(Patience)); // its flush never returned
    }

    [Fact]
    public async Task A_segment_is_zero_filled_at_creation_so_that_a_write_does_not_change_its_size()
    {
        var journal = Open();
        await journal.LoadAsync();

        await journal.SaveAsync(Settlement("r1"));
        await journal.SaveAsync(Settlement("r2"));

        var segment = Assert.Single(SegmentFiles());
        Assert.Equal(SettlementJournal.SegmentBytes, new FileInfo(segment).Length);
        Assert.Equal(["r1", "r2"], (await Open().LoadAsync()).Select(s => s.Settlement.RequestId));
    }

    [Fact]
    public async Task A_full_segment_is_sealed_and_deleted_once_every_settlement_in_it_is_stored()
    {
        var journal = Open();
        await journal.LoadAsync();
        var workspace = new string('w', 20_000); // about 20 KB a line: a segment holds about 50
        var saved = Enumerable.Range(0, 120).Select(i => Settlement($"r{i}", workspace)).ToList();
        foreach (var settlement in saved)
        {
            await journal.SaveAsync(settlement);
        }

        Assert.Equal(3, SegmentFiles().Length);
        var first = SegmentFiles()[0];
        foreach (var settlement in saved.Take(40))
        {
            await journal.RemoveAsync(settlement);
        }

        Assert.True(File.Exists(first));
        foreach (var settlement in saved.Skip(40))
        {
            await journal.RemoveAsync(settlement);
        }

        // The sealed segments are gone; the active one stays until the journal closes (a clean stop deletes it).
        Assert.Single(SegmentFiles());
        Assert.False(File.Exists(first));
        journal.Dispose();
        Assert.Empty(SegmentFiles());
    }

    [Fact]
    public async Task Settlements_loaded_after_a_restart_stay_until_every_one_in_their_segment_is_stored()
    {
        var crashed = Open();
        await crashed.LoadAsync();
        await crashed.SaveAsync(Settlement("stored"));
        await crashed.SaveAsync(Settlement("pending"));

        var restarted = Open();
        var loaded = await restarted.LoadAsync();
        await restarted.RemoveAsync(loaded.Single(s => s.Settlement.RequestId == "stored"));
        Assert.Single(SegmentFiles()); // still holds "pending"
        await restarted.SaveAsync(Settlement("new"));
        restarted.Dispose();

        // "stored" shares its segment with "pending", so it comes back too: sending it again changes nothing.
        var second = Open();
        var again = await second.LoadAsync();
        Assert.Equal(["new", "pending", "stored"], again.Select(s => s.Settlement.RequestId).Order());
        foreach (var settlement in again)
        {
            await second.RemoveAsync(settlement);
        }

        Assert.Empty(SegmentFiles());
    }

    [Fact]
    public async Task A_torn_last_line_is_skipped_and_an_unreadable_line_before_it_is_set_aside_for_a_person()
    {
        var journal = Open();
        await journal.LoadAsync();
        await journal.SaveAsync(Settlement("good"));
        var segment = Assert.Single(SegmentFiles());
        journal.Dispose();

        // After the good line: a line that is not a settlement, another good one, then a write the crash tore.
        var bytes = await File.ReadAllBytesAsync(segment);
        var end = Array.IndexOf(bytes, (byte)0);
        var tail = Encoding.UTF8.GetBytes("{ not json\n" + System.Text.Json.JsonSerializer.Serialize(Settlement("also good")) + "\n{\"Tenant\":\"acme\",\"Settle");
        tail.CopyTo(bytes, end);
        await File.WriteAllBytesAsync(segment, bytes);

        var loaded = await Open().LoadAsync();

        Assert.Equal(["also good", "good"], loaded.Select(s => s.Settlement.RequestId).Order());
        Assert.True(File.Exists(segment + ".unreadable"));
    }

    [Fact]
    public async Task A_line_is_written_in_the_serializer_default_format_that_journals_of_any_build_read()
    {
        var journal = Open();
        await journal.LoadAsync();
        var settlement = Settlement("format") with { Settlement = Settlement("format").Settlement with { StoreWithin = TimeSpan.FromMilliseconds(10) } };
        await journal.SaveAsync(settlement);
        journal.Dispose();

        var bytes = await File.ReadAllBytesAsync(Assert.Single(SegmentFiles()));
        var line = Encoding.UTF8.GetString(bytes, 0, Array.IndexOf(bytes, (byte)'\n'));

        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(settlement), line);
    }

    [Fact]
    public async Task Settlements_kept_one_file_each_by_the_file_outbox_are_loaded_and_their_files_removed_once_stored()
    {
        await new FileSettlementOutbox(_folder, NullLogger<FileSettlementOutbox>.Instance).SaveAsync(Settlement("from-file"));

        var journal = Open();
        var loaded = Assert.Single(await journal.LoadAsync());
        Assert.Equal("from-file", loaded.Settlement.RequestId);
        await journal.RemoveAsync(loaded);

        Assert.Empty(Directory.EnumerateFiles(_folder, "*.json"));
    }
}
