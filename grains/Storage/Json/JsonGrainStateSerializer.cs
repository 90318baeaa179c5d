using System.Text.Json;
using Orleans.Storage;

namespace OrleansTenancy.Storage;

/// <summary>
/// The one serializer of grain state: UTF-8 JSON through System.Text.Json. The SQLite and batched PostgreSQL providers
/// store its text; Orleans' AdoNet provider takes it as its <see cref="IGrainStorageSerializer"/>, so all three keep
/// the same document for the same state.
/// </summary>
public sealed class JsonGrainStateSerializer : IGrainStorageSerializer
{
    /// <summary>A serializer with <see cref="GrainStateJson.DefaultOptions"/>.</summary>
    public static JsonGrainStateSerializer Default { get; } = new(GrainStateJson.DefaultOptions);

    /// <summary>Creates a serializer with the given JSON options.</summary>
    public JsonGrainStateSerializer(JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
    }

    /// <summary>The JSON options.</summary>
    public JsonSerializerOptions Options { get; }

    /// <inheritdoc />
    public BinaryData Serialize<T>(T? input) => new(JsonSerializer.SerializeToUtf8Bytes(input, Options));

    /// <inheritdoc />
    /// <exception cref="JsonException">The data is not JSON of <typeparamref name="T"/>, or is the JSON literal <c>null</c>.</exception>
    public T Deserialize<T>(BinaryData input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return Deserialize<T>(input.ToMemory().Span);
    }

    /// <summary>The state as JSON text (what the SQLite and batched PostgreSQL providers store).</summary>
    public string SerializeToText<T>(T input) => JsonSerializer.Serialize(input, Options);

    /// <summary>Reads JSON text written by <see cref="SerializeToText{T}(T)"/>.</summary>
    /// <exception cref="JsonException">The text is not JSON of <typeparamref name="T"/>, or is the JSON literal <c>null</c>.</exception>
    public T DeserializeText<T>(string json) =>
        JsonSerializer.Deserialize<T>(json, Options) ?? throw new JsonException("The stored JSON is 'null'.");

    private T Deserialize<T>(ReadOnlySpan<byte> utf8Json) =>
        JsonSerializer.Deserialize<T>(utf8Json, Options) ?? throw new JsonException("The stored JSON is 'null'.");
}
