using System.Buffers;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;

namespace OrleansTenancy.Grains.Routing;

/// <summary>
/// The settlement outbox of a single silo as an append-only journal with group commit: a settlement is durable once
/// its line is on disk, and the settlements of concurrent calls share one write and one flush.
/// </summary>
/// <remarks>
/// <para>
/// <b>Why.</b> With it a silo can answer a call as soon as the call's settlement is kept here, and let the tenant grain
/// store it behind the answer (<see cref="BackgroundSettlements"/>, <c>answerOnceKept</c>): a silo that dies before
/// that sends it again when it starts on the same data directory. That holds only where the silo that kept a
/// settlement is the one that starts again on its folder — the single silo of the embedded default. A cluster's silo
/// may never come back, so a cluster answers only once the tenant grain has stored the settlement.
/// </para>
/// <para>
/// <b>Format.</b> Segments <c>journal-NNNNNNNN.log</c> of <see cref="SegmentBytes"/>, one JSON settlement per line,
/// zeros after the last line. One writer at a time writes every line queued while the previous flush ran, then flushes
/// the data to disk (<c>fdatasync</c> on Linux), and only then completes their <see cref="SaveAsync"/>: the caller that
/// finds no write under way, on its own thread, else the journal's writer thread. A segment is created
/// zero-filled and flushed whole, so a write changes neither its size nor its block map: the flush moves the lines and
/// waits for no file-system journal commit (which the SQLite file's commits on the same disk queue for). A write that
/// does not fit seals the segment; a sealed segment whose settlements are all stored is deleted. A crash in the middle of
/// a write leaves a torn last line, which belongs to no answered call and is skipped.
/// </para>
/// <para>
/// <b>Files of <see cref="FileSettlementOutbox"/></b> (one per settlement, in the same folder) are loaded too, so a
/// silo that kept settlements that way sends them again after it switched to the journal.
/// </para>
/// </remarks>
public sealed partial class SettlementJournal : ISettlementOutbox, IDisposable
{
    /// <summary>The size of a segment, zero-filled when it is created (about 3,000 settlements).</summary>
    public const int SegmentBytes = 1 << 20;

    private const string Prefix = "journal-";
    private const string Extension = ".log";
    private const string UnreadableExtension = ".unreadable";

    private readonly string _folder;
    private readonly FileSettlementOutbox _files;
    private readonly ILogger<SettlementJournal> _logger;
    private readonly Action<SafeFileHandle, string> _flushData;
    private readonly object _gate = new();
    private readonly Dictionary<PendingSettlement, Segment> _segmentOf = new(ReferenceEqualityComparer.Instance);
    private readonly HashSet<PendingSettlement> _inFiles = new(ReferenceEqualityComparer.Instance);
    private readonly SemaphoreSlim _work = new(0);
    private List<Entry> _queued = [];
    private bool _writing;
    private bool _handedOff;
    private bool _closed;
    private Thread? _writer;
    // The buffer of the caller that writes (one at a time, under _writing).
    private ArrayBufferWriter<byte>? _callerLines;
    private Segment? _active;
    private long _nextSegment = 1;

    /// <summary>Uses <paramref name="folder"/>, created when missing.</summary>
    /// <param name="folder">The folder; it must belong to this silo alone.</param>
    /// <param name="loggers">Where unreadable lines and files are reported.</param>
    public SettlementJournal(string folder, ILoggerFactory loggers)
        : this(folder, loggers, FlushData)
    {
    }

    /// <summary>Uses <paramref name="folder"/>, flushing each write with <paramref name="flushData"/> (tests hold a flush with it).</summary>
    internal SettlementJournal(string folder, ILoggerFactory loggers, Action<SafeFileHandle, string> flushData)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        ArgumentNullException.ThrowIfNull(loggers);
        _flushData = flushData ?? throw new ArgumentNullException(nameof(flushData));
        _files = new FileSettlementOutbox(folder, loggers.CreateLogger<FileSettlementOutbox>());
        _folder = _files.Folder;
        _logger = loggers.CreateLogger<SettlementJournal>();
        _nextSegment = SegmentFiles().Select(f => f.Number).DefaultIfEmpty(0).Max() + 1;
    }

    /// <summary>The folder of the journal.</summary>
    public string Folder => _folder;

    /// <summary>Segment files on disk now (sealed ones still holding settlements not stored, and the active one).</summary>
    public int SegmentCount => SegmentFiles().Count();

    /// <inheritdoc />
    /// <remarks>
    /// Completes once the settlement's line is flushed to disk with the others of its write. When no write is under way,
    /// the caller's thread writes and flushes the line itself and the task is complete on return, so what waits for it
    /// goes on without a hand-off to another thread; lines saved during a write wait for the journal's writer thread,
    /// which writes them all at once.
    /// </remarks>
    public Task SaveAsync(PendingSettlement settlement, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settlement);
        var entry = new Entry(settlement);
        lock (_gate)
        {
            if (_closed)
            {
                return Task.FromException(new IOException($"The settlement journal in '{_folder}' is closed."));
            }

            _queued.Add(entry);
            if (_writing)
            {
                return entry.Task;
            }

            _writing = true;
        }

        if (WriteBatch(_callerLines ??= new ArrayBufferWriter<byte>(4096)))
        {
            HandOff();
        }

        return entry.Task;
    }

    /// <inheritdoc />
    public Task RemoveAsync(PendingSettlement settlement, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settlement);
        bool inFile;
        lock (_gate)
        {
            inFile = _inFiles.Remove(settlement);
            if (_segmentOf.Remove(settlement, out var segment))
            {
                segment.Outstanding--;
                DeleteIfDone(segment);
            }
        }

        return inFile ? _files.RemoveAsync(settlement, cancellationToken) : Task.CompletedTask;
    }

    /// <inheritdoc />
    /// <remarks>Call once, before the first <see cref="SaveAsync"/>: the segments it reads are sealed.</remarks>
    public async Task<IReadOnlyList<PendingSettlement>> LoadAsync(CancellationToken cancellationToken = default)
    {
        var loaded = new List<PendingSettlement>(await _files.LoadAsync(cancellationToken).ConfigureAwait(false));
        lock (_gate)
        {
            foreach (var settlement in loaded)
            {
                _inFiles.Add(settlement);
            }
        }

        foreach (var (number, path) in SegmentFiles().OrderBy(f => f.Number).ToList())
        {
            if (_active?.Number == number)
            {
                continue;
            }

            var segment = new Segment(number, path) { Sealed = true };
            var bytes = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
            var used = bytes.AsSpan().IndexOf((byte)0);
            var lines = System.Text.Encoding.UTF8.GetString(bytes, 0, used < 0 ? bytes.Length : used).Split('\n');
            var unreadable = false;
            for (var i = 0; i < lines.Length; i++)
            {
                var settlement = Read(lines[i]);
                if (settlement is null)
                {
                    // A torn last line is a write that never completed: no answer depends on it.
                    unreadable |= i < lines.Length - 1;
                    continue;
                }

                loaded.Add(settlement);
                lock (_gate)
                {
                    _segmentOf[settlement] = segment;
                    segment.Outstanding++;
                }
            }

            if (unreadable)
            {
                File.Copy(path, path + UnreadableExtension, overwrite: true);
                LogUnreadable(path + UnreadableExtension);
            }

            lock (_gate)
            {
                DeleteIfDone(segment);
            }
        }

        return loaded;
    }

    /// <summary>Seals the active segment (deleted if every settlement in it is stored); the others stay for the next start.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _closed = true;
            if (_active is { } active)
            {
                Seal(active);
            }
        }

        _work.Release();
    }

    private static PendingSettlement? Read(string line)
    {
        try
        {
            var settlement = JsonSerializer.Deserialize(line, SettlementJsonContext.Default.PendingSettlement);
            return settlement?.Settlement is null || string.IsNullOrEmpty(settlement.Tenant) ? null : settlement;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private IEnumerable<(long Number, string Path)> SegmentFiles()
    {
        foreach (var path in Directory.EnumerateFiles(_folder, Prefix + "*" + Extension))
        {
            var name = Path.GetFileNameWithoutExtension(path);
            if (long.TryParse(name.AsSpan(Prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var number))
            {
                yield return (number, path);
            }
        }
    }

    /// <summary>
    /// Lets the writer thread write the lines queued during the caller's write, so that the caller's own answer does not
    /// wait for the lines of others. A thread of its own, not the pool's: the flush blocks, and a write must not queue
    /// behind the requests that wait for it.
    /// </summary>
    private void HandOff()
    {
        lock (_gate)
        {
            _handedOff = true;
            if (_writer is null)
            {
                _writer = new Thread(WriteLoop) { IsBackground = true, Name = "settlement-journal" };
                _writer.Start();
            }
        }

        _work.Release();
    }

    private void WriteLoop()
    {
        var lines = new ArrayBufferWriter<byte>(4096);
        while (true)
        {
            _work.Wait();
            lock (_gate)
            {
                if (!_handedOff)
                {
                    // Woken by Dispose: the lines still queued belong to a writer under way, which fails them.
                    if (_closed)
                    {
                        return;
                    }

                    continue;
                }

                _handedOff = false;
            }

            while (WriteBatch(lines))
            {
            }
        }
    }

    /// <summary>
    /// Writes and flushes the lines queued now, then completes their tasks (failed, with the journal closed or the write
    /// broken). Called by the one writer of the moment, which <see cref="_writing"/> names.
    /// </summary>
    /// <returns>Whether more lines were queued meanwhile, for the same writer to write next; if not, the journal has no writer.</returns>
    private bool WriteBatch(ArrayBufferWriter<byte> lines)
    {
        List<Entry> batch;
        bool closed;
        lock (_gate)
        {
            // Once closed, nothing more is queued: this batch is the last.
            batch = _queued;
            _queued = [];
            closed = _closed;
        }

        try
        {
            if (closed)
            {
                throw new IOException($"The settlement journal in '{_folder}' is closed.");
            }

            lines.ResetWrittenCount();
            using (var json = new Utf8JsonWriter(lines))
            {
                foreach (var entry in batch)
                {
                    JsonSerializer.Serialize(json, entry.Settlement, SettlementJsonContext.Default.PendingSettlement);
                    json.Flush();
                    json.Reset();
                    lines.Write("\n"u8);
                }
            }

            if (lines.WrittenCount > SegmentBytes)
            {
                throw new IOException($"A write of {lines.WrittenCount} bytes does not fit a settlement journal segment of {SegmentBytes}.");
            }

            var segment = SegmentFor(lines.WrittenCount);
            RandomAccess.Write(segment.File!, lines.WrittenSpan, segment.Used);
            _flushData(segment.File!, segment.Path);
            lock (_gate)
            {
                segment.Used += lines.WrittenCount;
                foreach (var entry in batch)
                {
                    _segmentOf[entry.Settlement] = segment;
                    segment.Outstanding++;
                }
            }

            foreach (var entry in batch)
            {
                entry.TrySetResult();
            }
        }
        catch (Exception error)
        {
            // The segment may hold part of this write: none of it counts, and the next write starts a new one.
            lock (_gate)
            {
                if (_active is { } broken)
                {
                    Seal(broken);
                }
            }

            var failure = error is IOException ? error : new IOException($"The settlement journal in '{_folder}' could not be written: {error.Message}", error);
            foreach (var entry in batch)
            {
                entry.TrySetException(failure);
            }
        }

        lock (_gate)
        {
            _writing = _queued.Count > 0;
            return _writing;
        }
    }

    /// <summary>
    /// The segment a write of <paramref name="bytes"/> goes to: the active one if it fits, else a new one, zero-filled,
    /// flushed and its name made durable (the active one is sealed).
    /// </summary>
    private Segment SegmentFor(int bytes)
    {
        lock (_gate)
        {
            if (_active is { } active)
            {
                if (active.Used + bytes <= SegmentBytes)
                {
                    return active;
                }

                Seal(active);
            }
        }

        var number = _nextSegment++;
        var path = Path.Combine(_folder, Prefix + number.ToString("D8", CultureInfo.InvariantCulture) + Extension);
        var file = File.OpenHandle(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read);
        try
        {
            var zeros = new byte[64 * 1024];
            for (long offset = 0; offset < SegmentBytes; offset += zeros.Length)
            {
                RandomAccess.Write(file, zeros, offset);
            }

            _flushData(file, path);
            FlushDirectory(_folder);
        }
        catch
        {
            file.Dispose();
            File.Delete(path);
            throw;
        }

        var segment = new Segment(number, path) { File = file };
        lock (_gate)
        {
            _active = segment;
        }

        return segment;
    }

    private void Seal(Segment segment)
    {
        segment.Sealed = true;
        segment.File?.Dispose();
        segment.File = null;
        if (ReferenceEquals(_active, segment))
        {
            _active = null;
        }

        DeleteIfDone(segment);
    }

    private void DeleteIfDone(Segment segment)
    {
        if (segment.Sealed && segment.Outstanding == 0)
        {
            try
            {
                File.Delete(segment.Path);
            }
            catch (Exception error) when (error is IOException or UnauthorizedAccessException)
            {
                // Harmless: its settlements are stored, and sending them again after a restart changes nothing.
                LogNotDeleted(error, segment.Path);
            }
        }
    }

    /// <summary>Flushes the file's data (not its times) to disk: <c>fdatasync</c> on Linux, a full flush elsewhere.</summary>
    private static void FlushData(SafeFileHandle file, string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            RandomAccess.FlushToDisk(file);
            return;
        }

        if (NativeMethods.FDataSync(file) != 0)
        {
            throw new IOException($"fdatasync of '{path}' failed (errno {Marshal.GetLastPInvokeError()}).");
        }
    }

    /// <summary>Makes a new file's name in <paramref name="folder"/> durable (Linux; elsewhere the file system does it).</summary>
    private static void FlushDirectory(string folder)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var path = System.Text.Encoding.UTF8.GetBytes(folder + "\0");
        var descriptor = NativeMethods.Open(path, NativeMethods.ReadOnlyDirectory);
        if (descriptor < 0)
        {
            throw new IOException($"Cannot open folder '{folder}' to flush it (errno {Marshal.GetLastPInvokeError()}).");
        }

        try
        {
            if (NativeMethods.FSync(descriptor) != 0)
            {
                throw new IOException($"fsync of folder '{folder}' failed (errno {Marshal.GetLastPInvokeError()}).");
            }
        }
        finally
        {
            _ = NativeMethods.Close(descriptor);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Settlement journal segment has unreadable lines; a copy is kept as {Path} and not re-sent: look at it and settle those calls by hand")]
    private partial void LogUnreadable(string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Settlement journal segment {Path} holds only stored settlements but could not be deleted; a restart sends them again, harmlessly")]
    private partial void LogNotDeleted(Exception error, string path);

    // Completed on the writer's thread, where what waits on it runs: that only releases answers (whose own continuations
    // run elsewhere) and forgets stored settlements, so the writer is not held and saves a hand-off per answer.
    private sealed class Entry(PendingSettlement settlement) : TaskCompletionSource
    {
        public PendingSettlement Settlement { get; } = settlement;
    }

    private sealed class Segment(long number, string path)
    {
        public long Number { get; } = number;

        public string Path { get; } = path;

        public SafeFileHandle? File { get; set; }

        public int Used { get; set; }

        public int Outstanding { get; set; }

        public bool Sealed { get; set; }
    }

    private static class NativeMethods
    {
        // O_RDONLY | O_DIRECTORY | O_CLOEXEC on Linux.
        internal const int ReadOnlyDirectory = 0x10000 | 0x80000;

        static NativeMethods() =>
            // The C library's run-time name; "libc.so" may be a linker script on systems with development files.
            NativeLibrary.SetDllImportResolver(typeof(NativeMethods).Assembly, static (name, assembly, searchPath) =>
                name == "libc" && OperatingSystem.IsLinux() && NativeLibrary.TryLoad("libc.so.6", assembly, searchPath, out var handle) ? handle : IntPtr.Zero);

        [DllImport("libc", EntryPoint = "fdatasync", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern int FDataSync(SafeFileHandle file);

        [DllImport("libc", EntryPoint = "open", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern int Open(byte[] path, int flags);

        [DllImport("libc", EntryPoint = "fsync", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern int FSync(int descriptor);

        [DllImport("libc", EntryPoint = "close", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern int Close(int descriptor);
    }
}
