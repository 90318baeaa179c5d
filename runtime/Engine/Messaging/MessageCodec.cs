using System.Buffers;
using System.Globalization;
using System.Text.Json;
using OrleansTenancy.Runtime.Membership;
using OrleansTenancy.Runtime.Metadata;

namespace OrleansTenancy.Runtime.Messaging;

internal enum FrameKind
{
    Request,
    Response,
}

/// <summary>A request as read from a frame.</summary>
internal sealed record RequestEnvelope(long Id, SiloAddress ReplyTo, int Hops, TimeSpan Timeout, GrainIdentity Target, GrainMethodDescriptor Method, string? TraceParent, object?[] Arguments);

/// <summary>A failure as carried in a response frame.</summary>
internal sealed record RemoteError(string Type, string Message, string? StackTrace);

/// <summary>
/// The wire format: one JSON object per frame, properties in a fixed order so the reader can resolve the
/// grain method (and therefore the argument and result types) before it reaches the values.
/// Request: <c>{"k":"req","id","from","hops","timeoutMs","grain","key","method","trace","args":[...]}</c>;
/// response: <c>{"k":"res","id","ok":true,"result"}</c> or <c>{"k":"res","id","ok":false,"type","message","stack"}</c>.
/// </summary>
internal sealed class MessageCodec(GrainTypeRegistry registry, JsonSerializerOptions options)
{
    public ReadOnlyMemory<byte> EncodeRequest(long id, SiloAddress replyTo, int hops, TimeSpan timeout, GrainIdentity target, GrainMethodDescriptor method, string? traceParent, object?[] arguments)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using var writer = new Utf8JsonWriter(buffer);
        writer.WriteStartObject();
        writer.WriteString("k", "req");
        writer.WriteNumber("id", id);
        writer.WriteString("from", replyTo.ToString());
        writer.WriteNumber("hops", hops);
        writer.WriteNumber("timeoutMs", (long)timeout.TotalMilliseconds);
        writer.WriteString("grain", target.Type);
        writer.WriteString("key", target.Key);
        writer.WriteString("method", method.Key);
        writer.WriteString("trace", traceParent);
        writer.WriteStartArray("args");
        for (var i = 0; i < method.Parameters.Count; i++)
        {
            var parameter = method.Parameters[i];
            try
            {
                JsonSerializer.Serialize(writer, arguments[i], parameter.ParameterType, options);
            }
            catch (Exception exception) when (exception is NotSupportedException or JsonException or InvalidOperationException or ArgumentException)
            {
                throw new GrainSerializationException(
                    $"Cannot serialize argument '{parameter.Name}' of {method.DisplayName} (declared type {parameter.ParameterType.FullName}, value type {arguments[i]?.GetType().FullName ?? "null"}): {exception.Message} "
                    + "Grain call arguments must be records, primitives or collections that System.Text.Json can round-trip.",
                    exception);
            }
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
        writer.Flush();
        return buffer.WrittenMemory;
    }

    public ReadOnlyMemory<byte> EncodeResponse(long id, GrainMethodDescriptor? method, object? result, Exception? exception)
    {
        if (exception is null && method is not null)
        {
            try
            {
                return Write(id, writer =>
                {
                    writer.WriteBoolean("ok", true);
                    writer.WritePropertyName("result");
                    if (method.ResultType is null)
                    {
                        writer.WriteNullValue();
                    }
                    else
                    {
                        JsonSerializer.Serialize(writer, result, method.ResultType, options);
                    }
                });
            }
            catch (Exception failure) when (failure is NotSupportedException or JsonException or InvalidOperationException or ArgumentException)
            {
                exception = new GrainSerializationException(
                    $"Cannot serialize the result of {method.DisplayName} (declared type {method.ResultType!.FullName}, value type {result?.GetType().FullName ?? "null"}): {failure.Message}",
                    failure);
            }
        }

        exception ??= new InvalidOperationException("A response carried neither a result nor an error.");
        return Write(id, writer =>
        {
            writer.WriteBoolean("ok", false);
            writer.WriteString("type", exception.GetType().FullName);
            writer.WriteString("message", exception.Message);
            writer.WriteString("stack", exception.StackTrace);
        });
    }

    /// <summary>Round-trips the arguments through the serializer (isolated local calls).</summary>
    public object?[] CopyArguments(GrainMethodDescriptor method, object?[] arguments)
    {
        if (arguments.Length == 0)
        {
            return arguments;
        }

        var copies = new object?[arguments.Length];
        for (var i = 0; i < arguments.Length; i++)
        {
            var parameter = method.Parameters[i];
            try
            {
                var type = parameter.ParameterType;
                copies[i] = JsonSerializer.Deserialize(JsonSerializer.SerializeToUtf8Bytes(arguments[i], type, options), type, options);
            }
            catch (Exception exception) when (exception is NotSupportedException or JsonException or InvalidOperationException or ArgumentException)
            {
                throw new GrainSerializationException(
                    $"Cannot serialize argument '{parameter.Name}' of {method.DisplayName} (declared type {parameter.ParameterType.FullName}, value type {arguments[i]?.GetType().FullName ?? "null"}): {exception.Message} "
                    + "Grain call arguments must be records, primitives or collections that System.Text.Json can round-trip.",
                    exception);
            }
        }

        return copies;
    }

    /// <summary>Round-trips a result through the serializer (isolated local calls).</summary>
    public object? CopyResult(GrainMethodDescriptor method, object? result)
    {
        if (method.ResultType is not { } type)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(JsonSerializer.SerializeToUtf8Bytes(result, type, options), type, options);
        }
        catch (Exception exception) when (exception is NotSupportedException or JsonException or InvalidOperationException or ArgumentException)
        {
            throw new GrainSerializationException(
                $"Cannot serialize the result of {method.DisplayName} (declared type {type.FullName}, value type {result?.GetType().FullName ?? "null"}): {exception.Message}",
                exception);
        }
    }

    public static FrameKind ReadHeader(ref Utf8JsonReader reader, out long id)
    {
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("A frame must be a JSON object.");
        }

        var kind = ReadString(ref reader, "k");
        ReadProperty(ref reader, "id");
        id = reader.GetInt64();
        return kind switch
        {
            "req" => FrameKind.Request,
            "res" => FrameKind.Response,
            _ => throw new JsonException($"Unknown frame kind '{kind}'."),
        };
    }

    public RequestEnvelope ReadRequest(ref Utf8JsonReader reader, long id)
    {
        var from = SiloAddress.Parse(ReadString(ref reader, "from"));
        ReadProperty(ref reader, "hops");
        var hops = reader.GetInt32();
        ReadProperty(ref reader, "timeoutMs");
        var timeout = TimeSpan.FromMilliseconds(reader.GetInt64());
        var grainType = ReadString(ref reader, "grain");
        var key = ReadString(ref reader, "key");
        var methodKey = ReadString(ref reader, "method");
        var grain = registry.FindByGrainType(grainType)
            ?? throw new InvalidOperationException($"Grain type {grainType} is not registered on this silo; register its assembly with AddGrains(assembly).");
        var method = grain.FindMethod(methodKey)
            ?? throw new InvalidOperationException($"Grain type {grainType} has no method {methodKey} on this silo; are all silos running the same grain interface version?");
        ReadProperty(ref reader, "trace");
        var traceParent = reader.GetString();
        ReadProperty(ref reader, "args");
        var arguments = method.Parameters.Count == 0 ? [] : new object?[method.Parameters.Count];
        for (var i = 0; i < arguments.Length; i++)
        {
            reader.Read();
            var parameter = method.Parameters[i];
            try
            {
                arguments[i] = JsonSerializer.Deserialize(ref reader, parameter.ParameterType, options);
            }
            catch (Exception exception) when (exception is NotSupportedException or JsonException or InvalidOperationException)
            {
                throw new GrainSerializationException(
                    $"Cannot deserialize argument '{parameter.Name}' of {method.DisplayName} (type {parameter.ParameterType.FullName}): {exception.Message}", exception);
            }
        }

        return new RequestEnvelope(id, from, hops, timeout, new GrainIdentity(grainType, key), method, traceParent, arguments);
    }

    public object? ReadResponse(ref Utf8JsonReader reader, GrainMethodDescriptor method, out RemoteError? error)
    {
        ReadProperty(ref reader, "ok");
        if (reader.GetBoolean())
        {
            error = null;
            ReadProperty(ref reader, "result");
            if (method.ResultType is null)
            {
                return null;
            }

            try
            {
                return JsonSerializer.Deserialize(ref reader, method.ResultType, options);
            }
            catch (Exception exception) when (exception is NotSupportedException or JsonException or InvalidOperationException)
            {
                error = new RemoteError(typeof(GrainSerializationException).FullName!,
                    $"Cannot deserialize the result of {method.DisplayName} (type {method.ResultType.FullName}): {exception.Message}", null);
                return null;
            }
        }

        var type = ReadString(ref reader, "type");
        var message = ReadString(ref reader, "message");
        ReadProperty(ref reader, "stack");
        error = new RemoteError(type, message, reader.GetString());
        return null;
    }

    private static ReadOnlyMemory<byte> Write(long id, Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using var writer = new Utf8JsonWriter(buffer);
        writer.WriteStartObject();
        writer.WriteString("k", "res");
        writer.WriteNumber("id", id);
        body(writer);
        writer.WriteEndObject();
        writer.Flush();
        return buffer.WrittenMemory;
    }

    private static void ReadProperty(ref Utf8JsonReader reader, string name)
    {
        if (!reader.Read() || reader.TokenType != JsonTokenType.PropertyName || !reader.ValueTextEquals(name))
        {
            throw new JsonException(string.Format(CultureInfo.InvariantCulture, "Expected property '{0}' at byte {1} of the frame.", name, reader.TokenStartIndex));
        }

        reader.Read();
    }

    private static string ReadString(ref Utf8JsonReader reader, string name)
    {
        ReadProperty(ref reader, name);
        return reader.GetString() ?? throw new JsonException($"Property '{name}' of the frame is null.");
    }
}
