import Foundation
import X509

// The J-LIS JPKI CA certificates (public data, published by J-LIS at www.jpki.go.jp/ca/), compiled in so that
// no file beside the binary can replace a trust anchor. Each entry names where its bytes were obtained; the
// tests check every fingerprint, self-signature and name. Table with validity and serials: docs/card-facts.md.

/// One built-in J-LIS CA certificate.
struct JLISCertificate: Sendable {
    /// The key whose certificates this CA issues.
    let issues: JPKIKey
    /// The year J-LIS brought this generation into use.
    let generation: Int
    /// SHA-256 of the DER, lower-case hex, as recorded when the bytes were obtained.
    let sha256: String
    /// The DER in base64.
    let base64: String

    /// The DER bytes.
    var der: [UInt8] { Array(Data(base64Encoded: base64.filter { !$0.isWhitespace }) ?? Data()) }

    /// The certificate as a trust anchor (`nil` only if the constant were corrupt, which the tests rule out).
    var anchor: TrustAnchor? {
        guard let certificate = try? Certificate(derEncoded: der) else { return nil }
        let name = issues == .authentication ? "authentication" : "signature"
        return TrustAnchor(certificate: certificate, der: der, issues: issues, label: "J-LIS \(name) CA (\(generation))")
    }
}

enum JLISCertificates {
    static let all: [JLISCertificate] = [
        // authentication CA, generation 2015. Source: jpki/myna `src/ta/auth_ca_2015.pem` (byte-identical to Hitachi/ImmutableStorage `server/authca01.cer`).
        JLISCertificate(issues: .authentication, generation: 2015, sha256: "4dcfc4ca0aaf9fb2a3081b3f0c991c320b3acc008667a341eeaec5af1d58ca7d", base64: """
            MIIFIDCCBAigAwIBAgIBATANBgkqhkiG9w0BAQsFADCBgjELMAkGA1UEBhMCSlAxDTALBgNVBAoMBEpQS0kxJTAjBgNVBAsM
            HEpQS0kgZm9yIHVzZXIgYXV0aGVudGljYXRpb24xPTA7BgNVBAsMNEphcGFuIEFnZW5jeSBmb3IgTG9jYWwgQXV0aG9yaXR5
            IEluZm9ybWF0aW9uIFN5c3RlbXMwHhcNMTUxMDIwMDMwODEzWhcNMjUxMDE5MTQ1OTU5WjCBgjELMAkGA1UEBhMCSlAxDTAL
            BgNVBAoMBEpQS0kxJTAjBgNVBAsMHEpQS0kgZm9yIHVzZXIgYXV0aGVudGljYXRpb24xPTA7BgNVBAsMNEphcGFuIEFnZW5j
            eSBmb3IgTG9jYWwgQXV0aG9yaXR5IEluZm9ybWF0aW9uIFN5c3RlbXMwggEiMA0GCSqGSIb3DQEBAQUAA4IBDwAwggEKAoIB
            AQDErMrTwOIy0V7LHYCBttzaAqhetfooJf8F0YMSGVIBnZDzxKz4toNDWY4mN935Uo9saPTsTtsIRed5azFAekE3VhTKSrfh
            A39uGssJBUEifqxay3WY8XiAIPE5jB5B8Gc6Ked9GvmzwA7TVNxg5M9q5I0+gxtJ2ocqMWOI7A8tfL2UpwOqyVYKRZVXjKIk
            BPIbYrNLdZrAki3FsCCyl7rR47NOt3sLZW1oz2fxJUZubD7oAXzKmZhofU9z3KQG6dgTaNzOpnPKhnxbTwXM68zQW52H8oki
            r/6gJ23gAr+fR8Z+IMuKkCj7df+7Lv+ab/3ZIncb01+QL5XEgHs7RLrHAgMBAAGjggGdMIIBmTAOBgNVHQ8BAf8EBAMCAQYw
            gbcGA1UdEQSBrzCBrKSBqTCBpjELMAkGA1UEBhMCSlAxJzAlBgNVBAoMHuWFrOeahOWAi+S6uuiqjeiovOOCteODvOODk+OC
            uTE5MDcGA1UECwww5YWs55qE5YCL5Lq66KqN6Ki844K144O844OT44K55Yip55So6ICF6Ki85piO55SoMTMwMQYDVQQLDCrl
            nLDmlrnlhazlhbHlm6PkvZPmg4XloLHjgrfjgrnjg4bjg6DmqZ/mp4swDwYDVR0TAQH/BAUwAwEB/zCBnAYDVR0fBIGUMIGR
            MIGOoIGLoIGIpIGFMIGCMQswCQYDVQQGEwJKUDENMAsGA1UECgwESlBLSTElMCMGA1UECwwcSlBLSSBmb3IgdXNlciBhdXRo
            ZW50aWNhdGlvbjE9MDsGA1UECww0SmFwYW4gQWdlbmN5IGZvciBMb2NhbCBBdXRob3JpdHkgSW5mb3JtYXRpb24gU3lzdGVt
            czAdBgNVHQ4EFgQUlWeVG1ynDYSg//HYWofxqrE0A4UwDQYJKoZIhvcNAQELBQADggEBACJnlGS30OV191IiCvFKB2tGFS1C
            zn56eV4COTzlNr+Ghona96bCy6bCdQvcRrbOMFK/S71umIO9ITR/eYUHhyt5aJv8wljNGctDUzvOzFvwkDs2HOLfv8n+/L8I
            6rRwIozyY58lUzcIFqe/gx0lLupQ9QsM+X/wiA+6oSyV8/yrM+c7aoGKRSQ/PFFV1nVTS7G6VYDrKOMKsvrh4b5buK3JPk7h
            c7AqRMx4lFzyJg+tq6Qy62aL4lCoIqKfmPfp4+GManEfCsDi1JSYpauPmpFMCLM0B8urUUlfDS5W4rtH23D3wcUh1LVI8kMY
            nyc4mpKoe5eoqG8eCWkd0lz1ms4=
            """),
        // authentication CA, generation 2023. Source: jpki/myna `src/ta/auth_ca_2023.pem`.
        JLISCertificate(issues: .authentication, generation: 2023, sha256: "64114f29620c24ed2631d46476a040e7ee740d956089c00b036a6a8118c322b5", base64: """
            MIIFIzCCBAugAwIBAgIEBtGABjANBgkqhkiG9w0BAQsFADCBgjELMAkGA1UEBhMCSlAxDTALBgNVBAoMBEpQS0kxJTAjBgNV
            BAsMHEpQS0kgZm9yIHVzZXIgYXV0aGVudGljYXRpb24xPTA7BgNVBAsMNEphcGFuIEFnZW5jeSBmb3IgTG9jYWwgQXV0aG9y
            aXR5IEluZm9ybWF0aW9uIFN5c3RlbXMwHhcNMjMwNzE2MDEwMTA0WhcNMzMwNzE1MTQ1OTU5WjCBgjELMAkGA1UEBhMCSlAx
            DTALBgNVBAoMBEpQS0kxJTAjBgNVBAsMHEpQS0kgZm9yIHVzZXIgYXV0aGVudGljYXRpb24xPTA7BgNVBAsMNEphcGFuIEFn
            ZW5jeSBmb3IgTG9jYWwgQXV0aG9yaXR5IEluZm9ybWF0aW9uIFN5c3RlbXMwggEiMA0GCSqGSIb3DQEBAQUAA4IBDwAwggEK
            AoIBAQDdxNt+xeqB9O50CBx2IjT3ffw8G/wOfwQJ2RfPHTuwBoudurxDlvqX5MPWlZpFaKNpbY0oWjOsA4BuLW40bS6BW+zm
            dvYIZvtuxKuy5U613FGV0UbM7UT2s4Z/Wk4QJ+B6sFQnnoQlyzbDL3x70GQ+oQMo8To0sFbqoRWUQAu3QoDUNb/H0/k8PxZw
            htUYY2q5kaNbtlI4q+0u+qnQXizXOPx1PJEvPsv0EQyE0+7aiSZ5kdiuDvZ9VdUXqiJHUnEljCYFRRiRJ4LlugEGwqMVWr0v
            U+2UTg+K4vT6ESYxjTAfjgNlR1kWPEs/1UEblqfrJQo/25rTxoQd4/WXyJofAgMBAAGjggGdMIIBmTAOBgNVHQ8BAf8EBAMC
            AQYwgbcGA1UdEQSBrzCBrKSBqTCBpjELMAkGA1UEBhMCSlAxJzAlBgNVBAoMHuWFrOeahOWAi+S6uuiqjeiovOOCteODvOOD
            k+OCuTE5MDcGA1UECwww5YWs55qE5YCL5Lq66KqN6Ki844K144O844OT44K55Yip55So6ICF6Ki85piO55SoMTMwMQYDVQQL
            DCrlnLDmlrnlhazlhbHlm6PkvZPmg4XloLHjgrfjgrnjg4bjg6DmqZ/mp4swDwYDVR0TAQH/BAUwAwEB/zCBnAYDVR0fBIGU
            MIGRMIGOoIGLoIGIpIGFMIGCMQswCQYDVQQGEwJKUDENMAsGA1UECgwESlBLSTElMCMGA1UECwwcSlBLSSBmb3IgdXNlciBh
            dXRoZW50aWNhdGlvbjE9MDsGA1UECww0SmFwYW4gQWdlbmN5IGZvciBMb2NhbCBBdXRob3JpdHkgSW5mb3JtYXRpb24gU3lz
            dGVtczAdBgNVHQ4EFgQUGsEA9ZajvIxLPfGV4yaZJJ6eMIowDQYJKoZIhvcNAQELBQADggEBAHB2MubK1YUwFd6zUQrinYXd
            kbXKGcm7X7Wfe8bRkxr6PGDeQgWjggCJ44HrU8UZPAec7oCzqey0wQTqziBVjyd98ntWlVV5SrgXeaWbfgI51MgWs5j3a8hr
            CPAwwcRi9XgTFgGvmwjAORrMaNueGkqAK/1YFs9TGuiJxIc8Tm0w/bVGNoS4eJ0uyamqsLQroA9/pHCkp0AehFv4eonhiP8T
            3OsaiMG38JCb5a9K7FDfrwd3T4+zjDIbecJL+viI0psHWwVmoyBBLXNBMjA5kKIqDYaYo6jsd7yoViTGcDpoYeRynal5yjkG
            yXigSal+staD3P6Yf7dJb0HX0gA0KRA=
            """),
        // signature CA, generation 2015. Source: jpki/myna `src/ta/sign_ca_2015.pem` (byte-identical to Hitachi/ImmutableStorage `server/signca01.cer`).
        JLISCertificate(issues: .signing, generation: 2015, sha256: "19645405a1fe14377434bd55957628ac4038557c542403a2243f21c706fc9355", base64: """
            MIIFETCCA/mgAwIBAgIBATANBgkqhkiG9w0BAQsFADCBgDELMAkGA1UEBhMCSlAxDTALBgNVBAoMBEpQS0kxIzAhBgNVBAsM
            GkpQS0kgZm9yIGRpZ2l0YWwgc2lnbmF0dXJlMT0wOwYDVQQLDDRKYXBhbiBBZ2VuY3kgZm9yIExvY2FsIEF1dGhvcml0eSBJ
            bmZvcm1hdGlvbiBTeXN0ZW1zMB4XDTE1MTAyMDAyNDAyOFoXDTI1MTAxOTE0NTk1OVowgYAxCzAJBgNVBAYTAkpQMQ0wCwYD
            VQQKDARKUEtJMSMwIQYDVQQLDBpKUEtJIGZvciBkaWdpdGFsIHNpZ25hdHVyZTE9MDsGA1UECww0SmFwYW4gQWdlbmN5IGZv
            ciBMb2NhbCBBdXRob3JpdHkgSW5mb3JtYXRpb24gU3lzdGVtczCCASIwDQYJKoZIhvcNAQEBBQADggEPADCCAQoCggEBANfh
            WTqnpAtEvBNZGuhoXSo5dzJLLhd+XuwNEz9VIZkWQbt3u3YmswI2szvojYQybMsLN+13DR9zCAesuSkBe80fyJUMi6brGoVI
            z1Q0HhhMLQj5jSnOvvijo4Zrp89i3jl81l0X3942iTg8LyakAsaAHjyNeXCDB3rzR8/aqXpqX06tQRqIexYuk3JrWKn6TZ0C
            y3UukYZDmypL+QaAYj8gIN5/FVPDrowqeqdI8hysHzzACZbb47E0EMtJhL/3B9X8gyQ2pehsm5bBBYKS6UDp1MjFmLPpV6W2
            i7IUS0X+h38aSPwq7K1FxL7XnTqG/lwDYSMzrXAVYWtqquC6KwECAwEAAaOCAZIwggGOMA4GA1UdDwEB/wQEAwIBBjCBrgYD
            VR0RBIGmMIGjpIGgMIGdMQswCQYDVQQGEwJKUDEnMCUGA1UECgwe5YWs55qE5YCL5Lq66KqN6Ki844K144O844OT44K5MTAw
            LgYDVQQLDCflhaznmoTlgIvkurroqo3oqLzjgrXjg7zjg5PjgrnnvbLlkI3nlKgxMzAxBgNVBAsMKuWcsOaWueWFrOWFseWb
            o+S9k+aDheWgseOCt+OCueODhuODoOapn+anizAPBgNVHRMBAf8EBTADAQH/MIGaBgNVHR8EgZIwgY8wgYyggYmggYakgYMw
            gYAxCzAJBgNVBAYTAkpQMQ0wCwYDVQQKDARKUEtJMSMwIQYDVQQLDBpKUEtJIGZvciBkaWdpdGFsIHNpZ25hdHVyZTE9MDsG
            A1UECww0SmFwYW4gQWdlbmN5IGZvciBMb2NhbCBBdXRob3JpdHkgSW5mb3JtYXRpb24gU3lzdGVtczAdBgNVHQ4EFgQUDQNM
            uzTQcU9F5Focr9j9FD+rVKcwDQYJKoZIhvcNAQELBQADggEBAJWYNfX827RsgL0q6MAFfyMq+bUbi9Kz2FJm73u0/lM2Z03d
            4ZAam7InzwLIHol/vRA1TNbDcPthU7eMBu0PcrGfANWykjhvyu8KorM+Rlpc3XNcyljhR96LcTWUTUdMmqH1ZVQNkDJF+ZAT
            pxihwvnvKh700JwmrQZ2YySNw/7wulWqais90LGNHIYxYK1IJ5uv2Q18IPUbuzW+1fwy6UPdA1OBdbdjX9LFCNK8EBSBs5nu
            elGnltbKIbtFPqfjWSOLib9o1TpTV1wHrRK542bWqPBKJGUl8hVuzmkYo8Lr9z6lL35N1zWFiNfIHbKraaqmP5zCoz3RmYYW
            p0jCbJ8=
            """),
        // signature CA, generation 2023. Source: jpki/myna `src/ta/sign_ca_2023.pem`; its fingerprint matches the one
        // susumutomita/ZeroKeyMate `docs/SOURCES.md` quotes from J-LIS's `sign_fingerprint.pdf`.
        JLISCertificate(issues: .signing, generation: 2023, sha256: "d227f6cde11d35c5252178f106f843d24651944975413b539fa2fb68dbfa365f", base64: """
            MIIFFDCCA/ygAwIBAgIEBnxqITANBgkqhkiG9w0BAQsFADCBgDELMAkGA1UEBhMCSlAxDTALBgNVBAoMBEpQS0kxIzAhBgNV
            BAsMGkpQS0kgZm9yIGRpZ2l0YWwgc2lnbmF0dXJlMT0wOwYDVQQLDDRKYXBhbiBBZ2VuY3kgZm9yIExvY2FsIEF1dGhvcml0
            eSBJbmZvcm1hdGlvbiBTeXN0ZW1zMB4XDTIzMDcxNjAwNTAyN1oXDTMzMDcxNTE0NTk1OVowgYAxCzAJBgNVBAYTAkpQMQ0w
            CwYDVQQKDARKUEtJMSMwIQYDVQQLDBpKUEtJIGZvciBkaWdpdGFsIHNpZ25hdHVyZTE9MDsGA1UECww0SmFwYW4gQWdlbmN5
            IGZvciBMb2NhbCBBdXRob3JpdHkgSW5mb3JtYXRpb24gU3lzdGVtczCCASIwDQYJKoZIhvcNAQEBBQADggEPADCCAQoCggEB
            ANi0xL81Wl6UyoSYgP4lRONGzgOoHZLmhKYn7R78djBrh6ViwZ3UNT2gj1FbApWdPZxyPDG37RXJBzY4qjujYgWG5bDEnkRJ
            fMGG+xsuHkQ1zBf2rxSbwmfWjJmD0zriVKUmOJCbzNCZyZt6OreVjQcueeWx5nZYSzJt8yG6O9GQj+OE0UiN+zweAIfMDnP9
            kjGIzOG3ZoDnr+3wqv/WPfHkKZKknOl3oagtasKaHXZmZvmtiEpG1b70P2dlgeywDDpBCyfP+QpR5BrueXnHjvqX7G0uyGiQ
            ndL+DAt9cycIQergXIrMdOax2wDP/ZPSe1SR1JIFKPDarfKZZUZ3iUkCAwEAAaOCAZIwggGOMA4GA1UdDwEB/wQEAwIBBjCB
            rgYDVR0RBIGmMIGjpIGgMIGdMQswCQYDVQQGEwJKUDEnMCUGA1UECgwe5YWs55qE5YCL5Lq66KqN6Ki844K144O844OT44K5
            MTAwLgYDVQQLDCflhaznmoTlgIvkurroqo3oqLzjgrXjg7zjg5PjgrnnvbLlkI3nlKgxMzAxBgNVBAsMKuWcsOaWueWFrOWF
            seWbo+S9k+aDheWgseOCt+OCueODhuODoOapn+anizAPBgNVHRMBAf8EBTADAQH/MIGaBgNVHR8EgZIwgY8wgYyggYmggYak
            gYMwgYAxCzAJBgNVBAYTAkpQMQ0wCwYDVQQKDARKUEtJMSMwIQYDVQQLDBpKUEtJIGZvciBkaWdpdGFsIHNpZ25hdHVyZTE9
            MDsGA1UECww0SmFwYW4gQWdlbmN5IGZvciBMb2NhbCBBdXRob3JpdHkgSW5mb3JtYXRpb24gU3lzdGVtczAdBgNVHQ4EFgQU
            0h6lWJVhfpOtv5ZrlBq07fZT8I8wDQYJKoZIhvcNAQELBQADggEBANLq5fwgQlvbowToAGecatiTa2rSCpRNNibDgNrqgorI
            vwS1mixEAItJWEpXaWq+3l/mN0cNW9kOZsH526Wy9XblvmsQm2CfTB8ltp7kfkiIHIIg3OWnRBbxAd+I6AsvuiE8N3RIZBTK
            E5N/08WxlMPd03wkcgiyT6yu/G57tI7oS0e6FDW31BVdS4JyuXWHs78rgrxrGmcT1L/I6TeG+cQn+MCCMp7TD5GXYtUdrx9Q
            2mmrSR7wf2ZNHiUtYq9hTkbnF0Mt4BUaEw1Bqtch0qlmVQG67YTUerI8rBIsDulJcwzDeVZ5P0UD3TBwLmM9t088Bgrv6is7
            dFPT0JEqNwU=
            """),
    ]
}
