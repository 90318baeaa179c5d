using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace OrleansTenancy.Tenancy.Registry;

/// <summary>
/// The fingerprint of a registry's content, so that silos can tell whether they serve the same tenants.
/// </summary>
/// <remarks>
/// What counts is what the loader made of the files, not the files: every tenant (slug, name, status, time zone,
/// workspaces with their guilds and overrides, routing, budgets, policy, API-key hashes) and the global defaults. Where
/// the folder lives, file order, modification times, comments, key order within a mapping and how a number is written
/// (<c>5</c> or <c>5.00</c>) do not count; nor does a setting left unset against one written out as <c>null</c>. Lists
/// keep their order (a provider order is meaningful). The content is written as <see cref="CanonicalJson"/> and hashed
/// with SHA-256; the first 64 bits, as 16 lowercase hex digits, are the fingerprint.
/// </remarks>
internal static class RegistryContentHash
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower), new NormalizedDecimal() },
    };

    /// <summary>The fingerprint of <paramref name="tenants"/> under <paramref name="global"/>.</summary>
    public static string Of(IEnumerable<TenantDefinition> tenants, GlobalDefaults global)
    {
        var content = new
        {
            Global = global,
            Tenants = tenants.OrderBy(t => t.Slug, StringComparer.Ordinal).Select(t => new
            {
                t.Slug,
                t.DisplayName,
                t.Status,
                TimeZone = t.TimeZone.Id,
                t.Workspaces,
                t.Routing,
                t.Budgets,
                t.Policy,
                ApiKeys = t.ApiKeys.OrderBy(k => k.Sha256, StringComparer.Ordinal),
            }),
        };

        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            CanonicalJson.Write(writer, JsonSerializer.SerializeToElement(content, Json));
        }

        return Convert.ToHexStringLower(SHA256.HashData(buffer.WrittenSpan)[..8]);
    }

    /// <summary>Writes a decimal without trailing zeros, so <c>5</c> and <c>5.00</c> hash alike.</summary>
    private sealed class NormalizedDecimal : JsonConverter<decimal>
    {
        public override decimal Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.GetDecimal();

        public override void Write(Utf8JsonWriter writer, decimal value, JsonSerializerOptions options) =>
            writer.WriteRawValue((value / 1.000000000000000000000000000000000m).ToString(CultureInfo.InvariantCulture), skipInputValidation: true);
    }
}
