{
  "targets": [
    {
      "target_name": "atrest_native",
      "sources": [
        "addon/atrest_native.c",
        "addon/_args.c",
        "addon/_ciphers.c",
        "addon/_keys.c",
        "addon/aes_gcm.c",
        "addon/aes_cbc.c",
        "addon/hkdf_gcm.c"
      ],
      "cflags": ["-O2", "-Wall", "-Wextra", "-Werror=implicit-function-declaration", "-fvisibility=hidden"],
      "defines": ["NAPI_DISABLE_CPP_EXCEPTIONS"],
      "conditions": [
        ["OS=='linux'", {
          "ldflags": ["-Wl,-z,now"]
        }]
      ]
    }
  ]
}
