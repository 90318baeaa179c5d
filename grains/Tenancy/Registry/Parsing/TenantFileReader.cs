using System.Globalization;
using System.Text;
using OrleansTenancy.Tenancy.Registry.Yaml;

namespace OrleansTenancy.Tenancy.Registry.Parsing;

/// <summary>
/// Reads the files of one tenants folder, refusing (as a problem of that file) anything that is not an ordinary file
/// inside the folder and within <see cref="TenantLoadLimits.MaxFileBytes"/>.
/// </summary>
/// <remarks>
/// Failure modes this guards against, each of which once took a silo down: a FIFO named <c>tenant.yaml</c> (opening it
/// waits for a writer for ever, holding the reload), a link to <c>/dev/zero</c> or a 3 GB file (read into memory until
/// the process dies), and a link to <c>/etc/passwd</c> (read, then quoted in an error message). Links are followed
/// while they stay inside the folder, as a mounted Kubernetes ConfigMap lays its files out. Every check is made
/// without opening the file; only an ordinary file is opened, by its resolved path, and read no further than the limit.
/// </remarks>
internal sealed class TenantFileReader
{
    // Strict decoding: a file saved in another encoding would otherwise load with replacement characters in
    // names and model ids, and fail later in ways far from the cause.
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly string? _realRoot;

    public TenantFileReader(string tenantsDirectory, TenantLoadLimits limits)
    {
        Limits = limits;
        _realRoot = FileSystemProbe.RealPath(tenantsDirectory);
    }

    public TenantLoadLimits Limits { get; }

    /// <summary>Why <paramref name="folder"/> may not be read as a tenant (a link out of the tenants folder), or <see langword="null"/>.</summary>
    public string? FolderProblem(string folder)
    {
        var real = FileSystemProbe.RealPath(folder);
        return real is null || _realRoot is null || FileSystemProbe.IsInside(real, _realRoot)
            ? null
            : $"The folder is a link to '{real}', outside the tenants folder; links are followed only within it. Move the tenant's files into the tenants folder.";
    }

    /// <summary>Reads and parses <paramref name="path"/>; returns <see langword="null"/> after reporting why it could not.</summary>
    public YamlNode? ReadRoot(string path, ProblemSink sink) =>
        ReadText(path, sink) is { } text ? YamlDocumentReader.Read(text, sink) : null;

    private string? ReadText(string path, ProblemSink sink)
    {
        var real = FileSystemProbe.RealPath(path);
        if (real is null)
        {
            sink.Error(0, 0, "The file cannot be read: it is missing or a link that leads nowhere.");
            return null;
        }

        if (_realRoot is not null && !FileSystemProbe.IsInside(real, _realRoot))
        {
            sink.Error(0, 0, $"The file is a link to '{real}', outside the tenants folder; links are followed only within it. Copy the file into the tenants folder instead.");
            return null;
        }

        var (kind, size) = FileSystemProbe.Describe(real);
        if (kind != FileKind.Regular)
        {
            sink.Error(0, 0, $"The file is not a regular file (it is {Describe(kind)}); tenant files must be ordinary files.");
            return null;
        }

        if (size > Limits.MaxFileBytes)
        {
            sink.Error(0, 0, TooLarge(size));
            return null;
        }

        try
        {
            // Read by the resolved path and never past the limit: a file that grew since it was measured is still bounded.
            using var stream = new FileStream(real, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 16 * 1024, FileOptions.SequentialScan);
            var buffer = new byte[Math.Min(Limits.MaxFileBytes, int.MaxValue - 1) + 1];
            var length = 0;
            int read;
            while (length < buffer.Length && (read = stream.Read(buffer, length, buffer.Length - length)) > 0)
            {
                length += read;
            }

            if (length > Limits.MaxFileBytes)
            {
                sink.Error(0, 0, TooLarge(length));
                return null;
            }

            var start = length >= 3 && buffer[0] == 0xEF && buffer[1] == 0xBB && buffer[2] == 0xBF ? 3 : 0;
            return StrictUtf8.GetString(buffer, start, length - start);
        }
        catch (DecoderFallbackException)
        {
            sink.Error(0, 0, "The file is not valid UTF-8; save it as UTF-8.");
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            sink.Error(0, 0, $"The file cannot be read ({ex.Message}); check that it exists and is readable.");
            return null;
        }
    }

    private string TooLarge(long size) => string.Create(CultureInfo.InvariantCulture,
        $"The file is {size:N0} bytes, above the limit of {Limits.MaxFileBytes:N0} bytes (Tenancy:MaxTenantFileBytes); tenant files are a few kilobytes.");

    private static string Describe(FileKind kind) => kind switch
    {
        FileKind.Fifo => "a named pipe",
        FileKind.Device => "a device",
        FileKind.Directory => "a folder",
        _ => "a socket or other special file",
    };
}
