using System.Buffers.Binary;
using JwtAuth.Tokens;
using Xunit;

namespace JwtAuth.Tests.Tokens;

public sealed class SipHash128Tests
{
    /// <summary>The reference implementation's vectors_sip128: key 00 01 .. 0f, message i = 00 01 .. (i-1).</summary>
    public static TheoryData<int, string> ReferenceVectors => new()
    {
        { 0, "a3817f04ba25a8e66df67214c7550293" },
        { 1, "da87c1d86b99af44347659119b22fc45" },
        { 7, "a1f1ebbed8dbc153c0b84aa61ff08239" },
        { 8, "3b62a9ba6258f5610f83e264f31497b4" },
        { 15, "5493e99933b0a8117e08ec0f97cfc3d9" },
        { 16, "6ee2a4ca67b054bbfd3315bf85230577" },
        { 63, "5150d1772f50834a503e069a973fbd7c" },
    };

    [Theory]
    [MemberData(nameof(ReferenceVectors))]
    public void Matches_the_reference_vectors(int length, string expected)
    {
        var key = Enumerable.Range(0, 16).Select(i => (byte)i).ToArray();
        var message = Enumerable.Range(0, length).Select(i => (byte)i).ToArray();

        var hash = new SipHash128(key).Hash(message);

        var output = new byte[16];
        BinaryPrimitives.WriteUInt128LittleEndian(output, hash);
        Assert.Equal(expected, Convert.ToHexStringLower(output));
    }

    [Fact]
    public void Each_instance_draws_its_own_key()
    {
        var message = "header.payload.signature"u8.ToArray();

        Assert.NotEqual(new SipHash128().Hash(message), new SipHash128().Hash(message));
    }

    [Fact]
    public void Refuses_a_key_that_is_not_16_bytes()
    {
        Assert.Throws<ArgumentException>(() => new SipHash128(new byte[15]));
    }
}
