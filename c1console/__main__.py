from c1console.cli import main

main()
