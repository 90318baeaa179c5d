using System.Globalization;
using System.Text.Json;
using OrleansTenancy.Tenancy.Registry;

namespace OrleansTenancy.Silo.Hosting;

/// <summary>
/// Remembers, in the data directory, which tenant held each guild and API key (<see cref="TenantRegistry.Claims"/>), so
/// that a restart settles a contested claim as the running silo did: the holder keeps it, a newcomer never takes it.
/// </summary>
/// <remarks>
/// Written after every load that changed the claims, by replacing the file (write beside it, then rename), so a crash
/// leaves either the old or the new file. A missing or unreadable file means no holder is known: a contested claim then
/// goes to neither tenant until one drops it, which is safe, and the problem is logged.
/// </remarks>
public sealed class TenantClaimsFile(string path)
{
    /// <summary>The file's name inside the data directory.</summary>
    public const string FileName = "tenant-claims.json";

    /// <summary>Where the file lives.</summary>
    public string Path { get; } = path;

    /// <summary>The remembered claims; <see langword="null"/> when there is no file, or (with <paramref name="problem"/> set) when it cannot be read.</summary>
    public TenantClaims? Read(out string? problem)
    {
        problem = null;
        if (!File.Exists(Path))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(Path));
            var guilds = document.RootElement.GetProperty("guilds").EnumerateObject()
                .ToDictionary(p => ulong.Parse(p.Name, NumberStyles.None, CultureInfo.InvariantCulture), p => p.Value.GetString()!);
            var keys = document.RootElement.GetProperty("api_keys").EnumerateObject()
                .ToDictionary(p => p.Name, p => p.Value.GetString()!, StringComparer.OrdinalIgnoreCase);
            return new TenantClaims(guilds, keys);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException or JsonException or KeyNotFoundException
            or InvalidOperationException or FormatException or OverflowException or ArgumentException)
        {
            problem = $"{Path} cannot be read ({error.Message}); contested guilds and API keys go to no tenant until the next load rewrites it.";
            return null;
        }
    }

    /// <summary>Replaces the file with <paramref name="claims"/>.</summary>
    public void Write(TenantClaims claims)
    {
        ArgumentNullException.ThrowIfNull(claims);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        var temporary = Path + ".tmp";
        using (var stream = File.Create(temporary))
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteStartObject("guilds");
            foreach (var (guild, tenant) in claims.Guilds.OrderBy(g => g.Key))
            {
                json.WriteString(guild.ToString(CultureInfo.InvariantCulture), tenant);
            }

            json.WriteEndObject();
            json.WriteStartObject("api_keys");
            foreach (var (hash, tenant) in claims.ApiKeys.OrderBy(k => k.Key, StringComparer.Ordinal))
            {
                json.WriteString(hash, tenant);
            }

            json.WriteEndObject();
            json.WriteEndObject();
        }

        File.Move(temporary, Path, overwrite: true);
    }
}
