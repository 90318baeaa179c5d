using System.Security.Cryptography;
using System.Text.Json;
using OrleansTenancy.Tenancy.Registry;

namespace OrleansTenancy.Tenancy.Memory;

/// <summary>
/// The response-cache key of an LLM request: lowercase hex SHA-256 over a canonical JSON form of tenant, workspace,
/// model, provider preferences, messages and parameters.
/// </summary>
/// <remarks>
/// <para>
/// Canonical form: object properties are sorted by ordinal name at every depth and properties whose value is
/// <c>null</c> are left out (OpenRouter treats an explicit null as unset), so the order in which a caller built a
/// parameter dictionary does not change the key. Array order is kept: the order of messages matters, and so does the
/// provider <c>order</c> list, because a different order can route to a different provider and produce a different answer.
/// Numbers keep their JSON text (<c>1</c> and <c>1.0</c> give different keys; that only costs a cache miss).
/// </para>
/// <para>
/// Tenant and workspace are part of the hash as well as of the grain that holds the cache, so a key leaked to
/// another workspace still never matches there.
/// </para>
/// </remarks>
public static class ResponseCacheKey
{
    // Bump when the canonical form changes, so old keys stop matching instead of matching the wrong thing.
    private const int FormatVersion = 1;

    private static readonly JsonSerializerOptions SerializerOptions = new(JsonSerializerDefaults.General);

    /// <summary>Computes the key from JSON forms of the messages and parameters.</summary>
    /// <param name="context">The caller's effective (tenant, workspace); must not be empty.</param>
    /// <param name="model">The model id; must not be empty.</param>
    /// <param name="providers">The effective provider preferences, or <see langword="null"/>.</param>
    /// <param name="messages">The request messages (usually a JSON array).</param>
    /// <param name="parameters">Other request parameters that change the answer (temperature, max_tokens...), or <see langword="null"/>.</param>
    /// <returns>64 lowercase hex characters.</returns>
    /// <exception cref="ArgumentException">The context or model is empty.</exception>
    public static string Compute(TenantContext context, string model, ProviderPreferences? providers, JsonElement messages, JsonElement? parameters = null)
    {
        if (context.IsEmpty)
        {
            throw new ArgumentException("An empty TenantContext cannot key a cached response; resolve the effective context first.", nameof(context));
        }

        ArgumentException.ThrowIfNullOrWhiteSpace(model);
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNumber("v", FormatVersion);
            writer.WriteString("tenant", context.Tenant);
            writer.WriteString("workspace", context.Workspace);
            writer.WriteString("model", model);
            writer.WritePropertyName("providers");
            CanonicalJson.Write(writer, providers is null ? default : JsonSerializer.SerializeToElement(providers, SerializerOptions));
            writer.WritePropertyName("messages");
            CanonicalJson.Write(writer, messages);
            writer.WritePropertyName("parameters");
            CanonicalJson.Write(writer, parameters ?? default);
            writer.WriteEndObject();
        }

        return Convert.ToHexStringLower(SHA256.HashData(buffer.WrittenSpan));
    }

    /// <summary>Computes the key, serializing <paramref name="messages"/> and <paramref name="parameters"/> with System.Text.Json defaults.</summary>
    /// <param name="context">The caller's effective (tenant, workspace); must not be empty.</param>
    /// <param name="model">The model id; must not be empty.</param>
    /// <param name="providers">The effective provider preferences, or <see langword="null"/>.</param>
    /// <param name="messages">The request messages, for example a list of message records.</param>
    /// <param name="parameters">Other request parameters, for example a dictionary, or <see langword="null"/>.</param>
    /// <returns>64 lowercase hex characters.</returns>
    /// <exception cref="ArgumentException">The context or model is empty.</exception>
    public static string Compute(TenantContext context, string model, ProviderPreferences? providers, object messages, object? parameters = null)
    {
        ArgumentNullException.ThrowIfNull(messages);
        return Compute(
            context,
            model,
            providers,
            JsonSerializer.SerializeToElement(messages, messages.GetType(), SerializerOptions),
            parameters is null ? null : JsonSerializer.SerializeToElement(parameters, parameters.GetType(), SerializerOptions));
    }
}
