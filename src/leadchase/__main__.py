from leadchase.cli import main

main()
