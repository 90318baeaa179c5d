using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using OrleansTenancy.GrainInterfaces;

namespace OrleansTenancy.Grains.Routing;

/// <summary>A settlement on its way to its tenant grain: what upstream charged for one call, and the call's details.</summary>
/// <param name="Tenant">The tenant slug.</param>
/// <param name="Settlement">The actual usage.</param>
/// <param name="Details">What becomes the call's usage ledger row.</param>
public sealed record PendingSettlement(string Tenant, SettleRequest Settlement, ExecutionDetails Details);

/// <summary>
/// Where a silo keeps the settlements its tenant grains could not store yet, so that neither a failing store nor a
/// restart of the silo drops one (<see cref="BackgroundSettlements"/>).
/// </summary>
public interface ISettlementOutbox
{
    /// <summary>Stores <paramref name="settlement"/> durably, replacing one of the same tenant and request id.</summary>
    Task SaveAsync(PendingSettlement settlement, CancellationToken cancellationToken = default);

    /// <summary>Forgets <paramref name="settlement"/> once its tenant grain has stored it.</summary>
    Task RemoveAsync(PendingSettlement settlement, CancellationToken cancellationToken = default);

    /// <summary>Every settlement kept, oldest first.</summary>
    Task<IReadOnlyList<PendingSettlement>> LoadAsync(CancellationToken cancellationToken = default);
}

/// <summary>
/// The settlement outbox of a silo as one small JSON file per settlement in a folder of its own (by default
/// <c>data/settlements</c>). A file is written beside its final name, flushed to disk and renamed, so a crash leaves
/// either the whole settlement or none; it is deleted once the tenant grain stored the settlement. Files only exist
/// while a store fails, so the usual path costs nothing.
/// </summary>
public sealed partial class FileSettlementOutbox : ISettlementOutbox
{
    private const string Extension = ".json";
    private const string UnreadableExtension = ".unreadable";
    private readonly string _folder;
    private readonly ILogger<FileSettlementOutbox> _logger;

    /// <summary>Uses <paramref name="folder"/>, created when missing.</summary>
    /// <param name="folder">The folder; it must belong to this silo alone.</param>
    /// <param name="logger">Where unreadable files are reported.</param>
    public FileSettlementOutbox(string folder, ILogger<FileSettlementOutbox> logger)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        ArgumentNullException.ThrowIfNull(logger);
        _folder = Path.GetFullPath(folder);
        _logger = logger;
        Directory.CreateDirectory(_folder);
    }

    /// <summary>The folder the settlements are kept in.</summary>
    public string Folder => _folder;

    /// <inheritdoc />
    public async Task SaveAsync(PendingSettlement settlement, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settlement);
        var path = PathOf(settlement);
        var temporary = path + ".tmp";
        await using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 4096, FileOptions.Asynchronous))
        {
            await JsonSerializer.SerializeAsync(file, settlement, SettlementJsonContext.Default.PendingSettlement, cancellationToken).ConfigureAwait(false);
            file.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
    }

    /// <inheritdoc />
    public Task RemoveAsync(PendingSettlement settlement, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settlement);
        File.Delete(PathOf(settlement));
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    /// <remarks>A file that does not hold a settlement is renamed to <c>*.unreadable</c> and reported; the others load.</remarks>
    public async Task<IReadOnlyList<PendingSettlement>> LoadAsync(CancellationToken cancellationToken = default)
    {
        var settlements = new List<(DateTime Written, PendingSettlement Settlement)>();
        foreach (var path in Directory.EnumerateFiles(_folder, "*" + Extension))
        {
            PendingSettlement? settlement = null;
            string? problem = null;
            await using (var file = File.OpenRead(path))
            {
                try
                {
                    settlement = await JsonSerializer.DeserializeAsync(file, SettlementJsonContext.Default.PendingSettlement, cancellationToken).ConfigureAwait(false);
                }
                catch (JsonException error)
                {
                    problem = error.Message;
                }
            }

            if (settlement?.Settlement is null || string.IsNullOrEmpty(settlement.Tenant))
            {
                LogUnreadable(path, problem ?? "it holds no settlement");
                File.Move(path, path + UnreadableExtension, overwrite: true);
                continue;
            }

            settlements.Add((File.GetLastWriteTimeUtc(path), settlement));
        }

        return [.. settlements.OrderBy(s => s.Written).Select(s => s.Settlement)];
    }

    /// <summary>A file name from the tenant and request id, whatever characters a caller put in its id.</summary>
    private string PathOf(PendingSettlement settlement)
    {
        var key = SHA256.HashData(Encoding.UTF8.GetBytes(settlement.Tenant + "\n" + settlement.Settlement.RequestId));
        return Path.Combine(_folder, Convert.ToHexStringLower(key) + Extension);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Settlement outbox file {Path} cannot be read ({Problem}); it is kept as *.unreadable and not re-sent: look at it and settle the call by hand")]
    private partial void LogUnreadable(string path, string problem);
}
