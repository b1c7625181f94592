{
  "apps": [
    {
      "name": "tool",
      "script": "index.js",
      "env": { "NODE_ENV": "production" }
    }
  ]
}
